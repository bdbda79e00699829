using System.Globalization;
using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.IntegrationTests.Infrastructure;
using MySqlConnector;

namespace ClusterWatch.IntegrationTests.Grafana;

/// <summary>
/// The time-series panels count a user absent from a sample as 0 (the spec), on the history branch (≤ 3 h) and on the
/// history_hourly branch (longer ranges): values computed by hand from history rows written through the store.
/// </summary>
[Collection("MariaDB server state")]
public sealed class DashboardSeriesValuesTests
{
    private static readonly DateTimeOffset H = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two 90 s cycles at 12:00 on two nodes, 18 samples each. n1: alice 40 % in cycle 1 only; bob 10 % in
    /// cycle 1 and 20 % in 9 of cycle 2's 18 samples. n2: alice 30 % in cycle 1 only.</summary>
    private static readonly HistoryRow[] NoonRows =
    [
        Row("n1", H, ItemKind.Node, "", 18, 50), Row("n1", H.AddSeconds(90), ItemKind.Node, "", 18, 30),
        Row("n2", H, ItemKind.Node, "", 18, 35), Row("n2", H.AddSeconds(90), ItemKind.Node, "", 18, 5),
        Row("n1", H, ItemKind.User, "alice", 18, 40), Row("n1", H, ItemKind.User, "bob", 18, 10),
        Row("n1", H.AddSeconds(90), ItemKind.User, "bob", 9, 20), Row("n2", H, ItemKind.User, "alice", 18, 30),
    ];

    [Fact]
    public async Task CpuByUser_AbsentCountsAsZero_HistoryAndHourlyBranchesAgreeWithHandValues()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        await using (var store = new MySqlUsageStore(db.ConnectionString, MariaDb.Password))
        {
            await store.MigrateAsync(Ct);
            await store.WriteAggregatesAsync(new AggregationOutput([], NoonRows), Ct);
        }
        // One 180 s bucket: alice n1 40×18/36 = 20 + n2 30×18/36 = 15 → 35 (averaging only the cycles she has a row in
        // would give 70); bob (10×18 + 20×9)/36 = 10.
        var expected = new Dictionary<string, double> { ["alice"] = 35, ["bob"] = 10 };
        var shortRange = await SeriesAsync(db, H.AddMinutes(-30), H.AddMinutes(30), TimeSpan.FromSeconds(180));
        Assert.Equal([(H.ToUnixTimeSeconds(), "alice", 35.0), (H.ToUnixTimeSeconds(), "bob", 10.0)], shortRange);
        // A 4 h range reads history_hourly: the same hour, the same values, one hour bucket.
        var longRange = await SeriesAsync(db, H.AddHours(-3), H.AddHours(1), TimeSpan.FromHours(1));
        Assert.Equal(shortRange, longRange);
        Assert.Equal(expected.Count, longRange.Count);
    }

    [Fact]
    public async Task CpuByUser_HourBucketsAndTwoHourBuckets_DivideByTheNodesSamplesOfTheBucket()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        await using (var store = new MySqlUsageStore(db.ConnectionString, MariaDb.Password))
        {
            await store.MigrateAsync(Ct);
            // 12:00 as in the test above (n1 and n2: 36 node samples); 13:00: one 18-sample cycle per node, alice 50 %
            // and bob 1 % on n1 only.
            var h2 = H.AddHours(1);
            await store.WriteAggregatesAsync(new AggregationOutput([],
            [
                .. NoonRows,
                Row("n1", h2, ItemKind.Node, "", 18, 60), Row("n2", h2, ItemKind.Node, "", 18, 10),
                Row("n1", h2, ItemKind.User, "alice", 18, 50), Row("n1", h2, ItemKind.User, "bob", 18, 1),
            ]), Ct);
        }
        long t12 = H.ToUnixTimeSeconds(), t13 = t12 + 3600;
        // Hour buckets (the rows' node_samples): 12:00 alice 35, bob 10 (above); 13:00 alice 50 × 18 / 18 = 50, bob 1.
        Assert.Equal([(t12, "alice", 35.0), (t12, "bob", 10.0), (t13, "alice", 50.0), (t13, "bob", 1.0)],
            await SeriesAsync(db, H.AddHours(-3), H.AddHours(2), TimeSpan.FromHours(1)));
        // One 2 h bucket (12:00–14:00; the node rows joined): each node has 36 + 18 = 54 samples. alice n1
        // (40×18 + 50×18) / 54 = 30 + n2 30×18 / 54 = 10 → 40; bob n1 (10×18 + 20×9 + 1×18) / 54 = 7.
        Assert.Equal([(t12, "alice", 40.0), (t12, "bob", 7.0)], await SeriesAsync(db, H.AddHours(-4), H.AddHours(2), TimeSpan.FromHours(2)));
    }

    [Fact]
    public async Task TopProcesses_AverageOverTheSamplesTheProcessWasAlive_HistoryAndHourlyAgree()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        await using (var store = new MySqlUsageStore(db.ConnectionString, MariaDb.Password))
        {
            await store.MigrateAsync(Ct);
            // Node n1, two 18-sample cycles; process 42 (sim, alice) alive in all 18 samples of the first at 40 % and
            // in 9 of the second at 20 % (it ended): its average is (40×18 + 20×9) / 27 = 33.33 % — as a window or
            // `report --by process` averages a process, over the samples it was alive; dividing by the node's 36
            // samples would give 25. RSS 1000 in both → 1000.
            await store.WriteAggregatesAsync(new AggregationOutput([],
            [
                Row("n1", H, ItemKind.Node, "", 18, 50), Row("n1", H.AddSeconds(90), ItemKind.Node, "", 18, 30),
                ProcessRow(H, 18, 40), ProcessRow(H.AddSeconds(90), 9, 20),
            ]), Ct);
        }
        var file = Dashboards.Files.Single(f => f.EndsWith("clusterwatch-users-processes.json", StringComparison.Ordinal));
        var panel = Dashboards.Panels(file).Single(p => p.Name == "Top processes of the range");
        var vars = new Dictionary<string, IReadOnlyList<string>> { ["node"] = ["n1"], ["user"] = ["alice"] };
        foreach (var (from, to) in new[] { (H.AddMinutes(-30), H.AddMinutes(30)), (H.AddHours(-3), H.AddHours(1)) })
        {
            var sql = GrafanaMacros.Expand(panel.Sql, new GrafanaMacros.Context(from, to, TimeSpan.FromMinutes(1), vars));
            await using var c = await MariaDb.OpenAsync(db.ConnectionString);
            await using var cmd = new MySqlCommand(sql, c);
            await using var r = await cmd.ExecuteReaderAsync(Ct);
            Assert.True(await r.ReadAsync(Ct));
            Assert.Equal("sim [alice@n1 pid 42]", r.GetString(0));
            Assert.Equal(100.0 / 3, Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture), 6);
            Assert.Equal(40, Convert.ToDouble(r.GetValue(2), CultureInfo.InvariantCulture), 6);
            Assert.Equal(1000, Convert.ToDouble(r.GetValue(3), CultureInfo.InvariantCulture), 6);
            Assert.False(await r.ReadAsync(Ct));
        }
    }

    private static HistoryRow ProcessRow(DateTimeOffset start, int samples, double cpu) =>
        new("n1", start, start.AddSeconds(90), ItemKind.Process, "42:777", "alice", "sim", 42, samples, 5,
            new CycleStats(cpu, cpu, cpu, null, null), new CycleStats(1000, 1000, 1000, null, null), new CycleStats(1, 1, 1, null, null));

    private static async Task<List<(long Time, string User, double Value)>> SeriesAsync(TestDatabase db, DateTimeOffset from, DateTimeOffset to, TimeSpan interval)
    {
        var file = Dashboards.Files.Single(f => f.EndsWith("clusterwatch-users-processes.json", StringComparison.Ordinal));
        var panel = Dashboards.Panels(file).Single(p => p.Name.StartsWith("CPU by user", StringComparison.Ordinal));
        var vars = new Dictionary<string, IReadOnlyList<string>> { ["node"] = ["n1", "n2"], ["user"] = ["alice", "bob"] };
        var sql = GrafanaMacros.Expand(panel.Sql, new GrafanaMacros.Context(from, to, interval, vars));
        await using var c = await MariaDb.OpenAsync(db.ConnectionString);
        await using var cmd = new MySqlCommand(sql, c);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var rows = new List<(long, string, double)>();
        while (await r.ReadAsync(Ct))
            rows.Add((Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), r.GetString(1), Math.Round(Convert.ToDouble(r.GetValue(2), CultureInfo.InvariantCulture), 9)));
        return rows;
    }

    private static HistoryRow Row(string node, DateTimeOffset start, ItemKind kind, string user, int samples, double cpu) =>
        new(node, start, start.AddSeconds(90), kind, user, user, "", 0, samples, 5,
            new CycleStats(cpu, cpu, cpu, null, null), new CycleStats(1000, 1000, 1000, null, null), new CycleStats(1, 1, 1, null, null));
}
