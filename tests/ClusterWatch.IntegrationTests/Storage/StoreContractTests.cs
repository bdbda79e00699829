using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using static ClusterWatch.IntegrationTests.Storage.StoreContractData;

namespace ClusterWatch.IntegrationTests.Storage;

/// <summary>
/// The one contract every store keeps, run against SQLite and MariaDB alike (see the two subclasses). Expected values
/// are computed by hand from <see cref="StoreContractData"/>.
/// </summary>
public abstract partial class StoreContractTests : IAsyncLifetime
{
    protected IUsageStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new store on an empty database.</summary>
    protected abstract Task<IUsageStore> CreateStoreAsync();

    /// <summary>One value from raw SQL on the store's database.</summary>
    protected abstract Task<long> CountAsync(string sql);

    public async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.MigrateAsync(Ct);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Migrate_Twice_EachVersionAppliedOnce_LeasesPresent()
    {
        await Store.MigrateAsync(Ct);
        var version = await Store.GetSchemaVersionAsync(Ct);
        Assert.True(version >= 2, $"version {version}: version 2 adds the node leases");
        Assert.Equal(version, await CountAsync("SELECT COUNT(*) FROM schema_version"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(lease_until_ts) FROM nodes"));
    }

    [Fact]
    public async Task WriteSample_ThenLoad_ReturnsEveryField()
    {
        var s = TwoSamples()[0];
        await Store.WriteSampleAsync(s, Ct);
        var back = Assert.Single(await Store.LoadSamplesAsync("n1", T0, T0.AddMinutes(1), Ct));
        Assert.Equal((1L, T0.AddSeconds(5), 5.0, 150.0, 4_000_000_000L, 8_000_000_000L, 4, 2, 12.5),
            (back.Seq, back.Time, back.IntervalSeconds, back.CpuBusyPct, back.MemUsedBytes, back.MemTotalBytes, back.CpuCount, back.ProcessCount, back.UnattributedCpuPct));
        Assert.Equal(s.Users.OrderBy(u => u.User, StringComparer.Ordinal), back.Users.OrderBy(u => u.User, StringComparer.Ordinal));
        Assert.Equal(s.Processes.OrderBy(p => p.Pid), back.Processes.OrderBy(p => p.Pid));
    }

    [Fact]
    public async Task WriteSample_SameNodeAndSeqTwice_StoredOnceWithTheFirstValues()
    {
        var s = TwoSamples()[0];
        await Store.WriteSampleAsync(s, Ct);
        await Store.WriteSampleAsync(s with { CpuBusyPct = 999, Users = [User("mallory", 1, 1, 1)] }, Ct);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM samples"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM user_samples"));
        Assert.Equal(150.0, Assert.Single(await Store.LoadSamplesAsync("n1", T0, T0.AddMinutes(1), Ct)).CpuBusyPct);
    }

    [Fact]
    public async Task GetLastSeq_UnknownNodeZero_ElseHighestStored()
    {
        Assert.Equal(0, await Store.GetLastSeqAsync("n1", Ct));
        foreach (var s in TwoSamples())
            await Store.WriteSampleAsync(s, Ct);
        await Store.WriteSampleAsync(TwoSamples("n2")[0], Ct);
        Assert.Equal(2, await Store.GetLastSeqAsync("n1", Ct));
        Assert.Equal(1, await Store.GetLastSeqAsync("n2", Ct));
    }

    [Fact]
    public async Task LoadSamples_HalfOpenRange_InSeqOrder()
    {
        foreach (var s in TwoSamples().Reverse())
            await Store.WriteSampleAsync(s, Ct);
        Assert.Equal([1L, 2L], (await Store.LoadSamplesAsync("n1", T0.AddSeconds(5), T0.AddSeconds(11), Ct)).Select(s => s.Seq));
        Assert.Equal([1L], (await Store.LoadSamplesAsync("n1", T0.AddSeconds(5), T0.AddSeconds(10), Ct)).Select(s => s.Seq));
        Assert.Empty(await Store.LoadSamplesAsync("n2", T0, T0.AddMinutes(1), Ct));
    }

    [Fact]
    public async Task WriteAggregates_SameKeyTwice_OneRowWithTheLatestValues()
    {
        await Store.WriteAggregatesAsync(Aggregates([Window("n1", T0, "alice", 10)], [History("n1", T0, "alice", 18, 10)]), Ct);
        await Store.WriteAggregatesAsync(Aggregates([Window("n1", T0, "alice", 20)], [History("n1", T0, "alice", 18, 30)]), Ct);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM windows"));
        Assert.Equal(20, await CountAsync("SELECT CAST(cpu_avg_pct AS INTEGER) FROM windows".Replace("INTEGER", IntegerType, StringComparison.Ordinal)));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM history"));
        Assert.Equal(30, await CountAsync("SELECT CAST(cpu_avg_pct AS INTEGER) FROM history".Replace("INTEGER", IntegerType, StringComparison.Ordinal)));
    }

    /// <summary>The type name CAST(x AS …) takes for an integer in this dialect.</summary>
    protected virtual string IntegerType => "INTEGER";
}
