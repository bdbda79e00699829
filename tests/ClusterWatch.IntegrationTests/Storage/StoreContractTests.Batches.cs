using static ClusterWatch.IntegrationTests.Storage.StoreContractData;

namespace ClusterWatch.IntegrationTests.Storage;

/// <summary>Several samples in one transaction, and enough process rows for MySQL's bulk path (LOAD DATA of a TSV).</summary>
public abstract partial class StoreContractTests
{
    [Fact]
    public async Task WriteSamples_Batch_ManyProcesses_AwkwardNamesRoundTrip_ReSentSampleSkipped()
    {
        // 100 process rows (the bulk path from 64 on): names with the characters a TSV line must escape.
        string[] awkward = ["tab\there", "new\nline", "back\\slash", "\\N", "cr\rx", "nul\u0001ish", "🔥x", "'; DROP TABLE samples; --"];
        var procs = Enumerable.Range(1, 100).Select(i => Proc(i, "alice", i <= awkward.Length ? awkward[i - 1] : $"cmd{i}", i / 3.0, 1000L * i, i / 7.0)).ToList();
        var a = Sample("n1", 1, T0, [User("alice", 100, 1000, 1)], procs);
        var b = Sample("n2", 1, T0, [User("bob", 5, 10, 0.5)], [Proc(7, "bob", "sh", 5, 10, 0.5)]);
        await Store.WriteSampleAsync(b, Ct);
        await Store.WriteSamplesAsync([a, b], Ct); // b again: skipped, a stored, one transaction
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM samples"));
        Assert.Equal(101, await CountAsync("SELECT COUNT(*) FROM process_samples"));
        var back = (await Store.LoadSamplesAsync("n1", T0, T0.AddSeconds(1), Ct)).Single();
        var stored = back.Processes.OrderBy(p => p.Pid).ToList();
        Assert.Equal(procs.Select(p => p.Command), stored.Select(p => p.Command));
        Assert.Equal(procs.Select(p => p.CpuPct), stored.Select(p => p.CpuPct)); // doubles exact (round-trip format)
        Assert.Equal(procs.Select(p => p.MemPct), stored.Select(p => p.MemPct));
        Assert.Equal(procs.Select(p => p.RssBytes), stored.Select(p => p.RssBytes));
    }
}
