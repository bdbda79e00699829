using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.IntegrationTests.Infrastructure;
using MySqlConnector;
using static ClusterWatch.IntegrationTests.Storage.StoreContractData;

namespace ClusterWatch.IntegrationTests.MySql;

/// <summary>
/// Case C28 (deadlocks, lock waits: retried, never counted twice) and case C30 (a pooled connection the server
/// dropped — wait_timeout, KILL — must not lose a write). Server-wide settings are changed, so these run alone.
/// </summary>
[Collection("MariaDB server state")]
public sealed class MySqlStoreFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task C28_Deadlock_WithAnotherWriter_BatchLandsExactlyOnce()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        await using var store = new MySqlUsageStore(db.ConnectionString, MariaDb.Password);
        await store.MigrateAsync(Ct);
        await store.WriteAggregatesAsync(Aggregates([Window("node01", T0, "alice", 1), Window("node01", T0, "bob", 2)]), Ct);

        await using var other = await MariaDb.OpenAsync(db.ConnectionString);
        await using var tx = await other.BeginTransactionAsync(Ct);
        await Exec(other, tx, "UPDATE windows SET cpu_avg_pct = 77 WHERE " + Key("bob"));
        // The store locks alice, then waits for bob; the other writer then wants alice: a deadlock (ERROR 1213).
        var write = store.WriteAggregatesAsync(Aggregates([Window("node01", T0, "bob", 2.1), Window("node01", T0, "alice", 1.1)]), Ct);
        await Task.Delay(700, Ct);
        var otherDeadlocked = false;
        try
        {
            await Exec(other, tx, "UPDATE windows SET cpu_avg_pct = 88 WHERE " + Key("alice"));
            await tx.CommitAsync(Ct);
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.LockDeadlock)
        {
            otherDeadlocked = true;
        }
        await write;
        Assert.True(otherDeadlocked || store.TransientRetries >= 1, "no deadlock happened");
        var rows = await db.RowsAsync("SELECT item_key, cpu_avg_pct FROM windows ORDER BY item_key");
        Assert.Equal([("alice", 1.1), ("bob", 2.1)], rows.Select(r => ((string)r[0]!, (double)r[1]!)));
    }

    [Fact]
    public async Task C28_LockWaitTimeout_Retried_UntilTheOtherWriterCommits()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        MariaDb.Control("root-sql", "SET GLOBAL innodb_lock_wait_timeout = 1");
        try
        {
            await using var store = new MySqlUsageStore(db.ConnectionString, MariaDb.Password);
            await store.MigrateAsync(Ct);
            await store.WriteAggregatesAsync(Aggregates([Window("node01", T0, "alice", 1)]), Ct);
            await using var other = await MariaDb.OpenAsync(db.ConnectionString);
            await using var tx = await other.BeginTransactionAsync(Ct);
            await Exec(other, tx, "UPDATE windows SET cpu_avg_pct = 77 WHERE " + Key("alice"));
            var write = store.WriteAggregatesAsync(Aggregates([Window("node01", T0, "alice", 5)]), Ct);
            await Task.Delay(1300, Ct); // the store's first attempt times out after 1 s (ERROR 1205)
            await tx.CommitAsync(Ct);
            await write;
            Assert.True(store.TransientRetries >= 1);
            Assert.Equal(5.0, (double)(await db.ScalarAsync("SELECT cpu_avg_pct FROM windows"))!);
        }
        finally
        {
            MariaDb.Control("root-sql", "SET GLOBAL innodb_lock_wait_timeout = 50");
        }
    }

    [Fact]
    public async Task C30_ServerDroppedIdleConnections_NextWriteStillStored()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        MariaDb.Control("root-sql", "SET GLOBAL wait_timeout = 2");
        try
        {
            await using var store = new MySqlUsageStore(db.ConnectionString, MariaDb.Password);
            await store.MigrateAsync(Ct);
            var samples = TwoSamples("node01");
            await store.WriteSampleAsync(samples[0], Ct);
            await Task.Delay(3500, Ct); // the pooled connection's session timed out on the server ("gone away")
            await store.WriteSampleAsync(samples[1], Ct);
            var third = samples[1] with { Seq = 3, Time = T0.AddSeconds(15) };
            foreach (var id in await db.RowsAsync($"SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '{db.Name}'"))
                MariaDb.Control("root-sql", $"KILL CONNECTION {id[0]}");
            await store.WriteSampleAsync(third, Ct);
            Assert.Equal(3L, await store.GetLastSeqAsync("node01", Ct));
            Assert.Equal(3L, Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(*) FROM samples"), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            MariaDb.Control("root-sql", "SET GLOBAL wait_timeout = 28800");
        }
    }

    /// <summary>The full primary key: an UPDATE by item_key alone would scan and lock every row.</summary>
    private static string Key(string user) =>
        $"node_name = 'node01' AND window_start_ts = {T0.ToUnixTimeSeconds()} AND kind = 'user' AND item_key = '{user}'";

    private static async Task Exec(MySqlConnection c, MySqlTransaction tx, string sql)
    {
        await using var cmd = new MySqlCommand(sql, c, tx);
        await cmd.ExecuteNonQueryAsync(Ct);
    }
}
