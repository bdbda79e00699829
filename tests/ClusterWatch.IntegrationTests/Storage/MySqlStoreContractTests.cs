using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Storage;

/// <summary>The store contract against the MariaDB server test.sh started (a fresh database per test).</summary>
public sealed class MySqlStoreContractTests : StoreContractTests
{
    private TestDatabase? _db;

    protected override async Task<IUsageStore> CreateStoreAsync()
    {
        _db = await MariaDb.CreateDatabaseAsync();
        return new MySqlUsageStore(_db.ConnectionString, MariaDb.Password);
    }

    protected override async Task<long> CountAsync(string sql) =>
        Convert.ToInt64(await _db!.ScalarAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

    protected override string IntegerType => "SIGNED";

    protected override string[] UndoVersion5 => ["ALTER TABLE history_hourly DROP INDEX ix_history_hourly_series, DROP INDEX ix_history_hourly_item", .. base.UndoVersion5];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_db != null)
            await _db.DisposeAsync();
    }
}
