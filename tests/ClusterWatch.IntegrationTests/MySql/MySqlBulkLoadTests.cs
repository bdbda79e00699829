using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.IntegrationTests.Infrastructure;
using static ClusterWatch.IntegrationTests.Storage.StoreContractData;

namespace ClusterWatch.IntegrationTests.MySql;

/// <summary>The bulk path (LOAD DATA of a TSV written from the records) and the multi-row INSERT path store the same
/// values, text too long for its column included (cut, never inside an emoji, instead of failing under strict mode).</summary>
public sealed class MySqlBulkLoadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(100)] // bulk: LOAD DATA from 64 rows on
    [InlineData(10)] // multi-row INSERT
    public async Task TooLongNamesAndControlCharacters_StoredCut_BothPaths(int processes)
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        await using var store = new MySqlUsageStore(db.ConnectionString, MariaDb.Password);
        await store.MigrateAsync(Ct);
        var longUser = new string('u', 130);
        var procs = Enumerable.Range(1, processes).Select(i => Proc(i, i == 1 ? longUser : "alice", i switch
        {
            1 => new string('x', 254) + "🔥 and more",
            2 => "nul\0in\tthe\\middle",
            _ => "cmd" + i,
        }, i / 3.0, 1000L * i, i / 7.0)).ToList();

        await store.WriteSampleAsync(Sample("n1", 1, T0, [User(longUser, 1, 1, 1)], procs), Ct);

        var rows = await db.RowsAsync("SELECT pid, username, command, CHAR_LENGTH(command) FROM process_samples WHERE pid <= 2 ORDER BY pid");
        Assert.Equal((1, new string('u', 128), new string('x', 254), 254L), ((int)rows[0][0]!, (string)rows[0][1]!, (string)rows[0][2]!, Convert.ToInt64(rows[0][3], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("nul\0in\tthe\\middle", (string)rows[1][2]!);
        Assert.Equal(new string('u', 128), await db.ScalarAsync("SELECT username FROM user_samples"));
        Assert.Equal((long)processes, Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(*) FROM process_samples"), System.Globalization.CultureInfo.InvariantCulture));
    }
}
