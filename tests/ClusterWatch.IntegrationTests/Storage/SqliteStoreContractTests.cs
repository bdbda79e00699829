using ClusterWatch.Core.Storage;
using Microsoft.Data.Sqlite;

namespace ClusterWatch.IntegrationTests.Storage;

/// <summary>The store contract against SQLite (a fresh file per test).</summary>
public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cw-contract-{Guid.NewGuid():N}.db");

    protected override Task<IUsageStore> CreateStoreAsync() => Task.FromResult<IUsageStore>(new SqliteUsageStore(_path));

    protected override async Task<long> CountAsync(string sql)
    {
        await using var c = new SqliteConnection($"Data Source={_path};Pooling=false");
        await c.OpenAsync(Ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(f);
    }
}
