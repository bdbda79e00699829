using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Tests.Web;

/// <summary>The dashboard queries against a real SQLite file, with rows written through the store; expected sums by hand.</summary>
public sealed class SeriesQueriesTests : IAsyncLifetime
{
    private const string Evil = "'; DROP TABLE samples; --";
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cw-series-{Guid.NewGuid():N}.db");
    private SqliteUsageStore _store = null!;

    private static DateTimeOffset T(long s) => DateTimeOffset.FromUnixTimeSeconds(s);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static NodeSample Sample(string node, long seq, long ts, double busy, long memUsed, params (string User, double Cpu, long Rss)[] users) =>
        new(node, seq, T(ts), 5, busy, memUsed, 1L << 33, 4, users.Length, 0, SampleFlags.None,
            users.Select(u => new UserUsage(u.User, 1000, u.Cpu, u.Cpu, 0, u.Rss, 1, 1)).ToList(),
            users.Select((u, i) => new ProcessUsage(100 + i, 7, 1000, u.User, "cmd-" + u.User, 'R', u.Cpu, 0, u.Rss, 1)).ToList());

    private static WindowRow Window(string node, long start, string user, double avg, double max, double rss) =>
        new(node, T(start), T(start + 30), ItemKind.User, user, user, "", 0, 6, 5,
            new MetricStats(avg, max, null, null, null), new MetricStats(rss, rss, null, null, null), new MetricStats(1, 1, null, null, null));

    private static WindowRow NodeWindow(string node, long start, double busy, double busyMax, double memUsed) =>
        new(node, T(start), T(start + 30), ItemKind.Node, "", "", "", 0, 6, 5,
            new MetricStats(busy, busyMax, null, null, null), new MetricStats(memUsed, memUsed, null, null, null), new MetricStats(1, 1, null, null, null));

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteUsageStore(_path);
        await _store.MigrateAsync(Ct);
        foreach (var n in new[] { "n1", "n2" })
            await _store.UpsertNodeAsync(new NodeStatus(n, "local", "proc", NodeState.Up, T(1005), null), Ct);
        await _store.WriteSampleAsync(Sample("n1", 1, 1000, 150, 1000, ("alice", 100, 10), ("bob", 40, 20)), Ct);
        await _store.WriteSampleAsync(Sample("n1", 2, 1005, 120, 1100, ("alice", 80, 12), (Evil, 30, 5)), Ct);
        await _store.WriteSampleAsync(Sample("n2", 1, 1005, 50, 3000, ("alice", 25, 100)), Ct);
        await _store.WriteAggregatesAsync(new AggregationOutput(
        [
            Window("n1", 960, "alice", 90, 100, 11), Window("n1", 960, "bob", 20, 40, 20),
            Window("n2", 960, "alice", 25, 25, 100), Window("n1", 990, "alice", 10, 12, 9),
            NodeWindow("n1", 960, 150, 170, 1000), NodeWindow("n2", 960, 50, 60, 3000), NodeWindow("n1", 990, 120, 130, 1100),
        ], []), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(f);
    }

    [Fact]
    public async Task Series_SamplesCluster_SumsNodesPerTimestamp()
    {
        var rows = await _store.SeriesAsync(new SeriesQuery(SeriesScope.Cluster, SeriesResolution.Samples, T(1000), T(1010)), Ct);
        Assert.Equal([new SeriesRow(1000, 150, 150, 1000, 1000, 1), new SeriesRow(1005, 170, 170, 4100, 4100, 2)], rows);
    }

    [Fact]
    public async Task Series_SamplesUser_AcrossNodesAndOnOne()
    {
        var all = await _store.SeriesAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1000), T(1010), Item: "alice"), Ct);
        Assert.Equal([new SeriesRow(1000, 100, 100, 10, 10, 1), new SeriesRow(1005, 105, 105, 112, 112, 2)], all);
        var n2 = await _store.SeriesAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1000), T(1010), "n2", "alice"), Ct);
        Assert.Equal([new SeriesRow(1005, 25, 25, 100, 100, 1)], n2);
    }

    [Fact]
    public async Task Series_HostileName_IsAParameter()
    {
        var rows = await _store.SeriesAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1000), T(1010), Item: Evil), Ct);
        Assert.Equal([new SeriesRow(1005, 30, 30, 5, 5, 1)], rows);
        Assert.Equal(2, (await _store.SeriesAsync(new SeriesQuery(SeriesScope.Node, SeriesResolution.Samples, T(0), T(2000), "n1"), Ct)).Count);
    }

    [Fact]
    public async Task Series_CommandAndProcess_FromProcessSamples()
    {
        var cmd = await _store.SeriesAsync(new SeriesQuery(SeriesScope.Command, SeriesResolution.Samples, T(1000), T(1010), Item: "cmd-alice"), Ct);
        Assert.Equal([100.0, 105.0], cmd.Select(r => r.CpuAvgPct));
        var proc = await _store.SeriesAsync(new SeriesQuery(SeriesScope.Process, SeriesResolution.Samples, T(1000), T(1010), "n1", "101:7"), Ct);
        Assert.Equal([(1000L, 40.0), (1005L, 30.0)], proc.Select(r => (r.Time, r.CpuAvgPct)));
    }

    [Fact]
    public async Task Series_WindowsNodeAndCluster_FromTheNodeRows()
    {
        var node = await _store.SeriesAsync(new SeriesQuery(SeriesScope.Node, SeriesResolution.Windows, T(900), T(1100), "n1"), Ct);
        Assert.Equal([new SeriesRow(960, 150, 170, 1000, 1000, 1), new SeriesRow(990, 120, 130, 1100, 1100, 1)], node);
        var cluster = await _store.SeriesAsync(new SeriesQuery(SeriesScope.Cluster, SeriesResolution.Windows, T(900), T(1100)), Ct);
        Assert.Equal([new SeriesRow(960, 200, 230, 4000, 4000, 2), new SeriesRow(990, 120, 130, 1100, 1100, 1)], cluster);
    }

    [Fact]
    public async Task Series_WindowsUser_SumsNodesAndTheirMaxima()
    {
        var rows = await _store.SeriesAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Windows, T(900), T(1100), Item: "alice"), Ct);
        Assert.Equal([new SeriesRow(960, 115, 125, 111, 111, 2), new SeriesRow(990, 10, 12, 9, 9, 1)], rows);
    }

    [Fact]
    public async Task SeriesByNode_SamplesUser_StepOne_OneRowPerNodeAndTime()
    {
        // alice: n1 100 % / 10 B at 1000, n1 80 % / 12 B and n2 25 % / 100 B at 1005 (the unsplit series: 100, then 105).
        var rows = await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1000), T(1010), Item: "alice"), 1, Ct);
        Assert.Equal(
        [
            new NodeSeriesRow("n1", new SeriesRow(1000, 100, 100, 10, 10, 1)),
            new NodeSeriesRow("n1", new SeriesRow(1005, 80, 80, 12, 12, 1)),
            new NodeSeriesRow("n2", new SeriesRow(1005, 25, 25, 100, 100, 1)),
        ], rows);
    }

    [Fact]
    public async Task SeriesByNode_SamplesUser_Step10_AveragesTheTimestampsKeepsTheMaximum()
    {
        // [1000, 1010) on n1: (100 + 80) / 2 = 90 %, max 100; (10 + 12) / 2 = 11 B, max 12; 2 timestamps. n2: its one row.
        var rows = await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1000), T(1010), Item: "alice"), 10, Ct);
        Assert.Equal([new NodeSeriesRow("n1", new SeriesRow(1000, 90, 100, 11, 12, 2)), new NodeSeriesRow("n2", new SeriesRow(1005, 25, 25, 100, 100, 1))], rows);
        // A command's processes are summed per (time, node) first (the two-level query): here one process each, the same numbers.
        var cmd = await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.Command, SeriesResolution.Samples, T(1000), T(1010), Item: "cmd-alice"), 10, Ct);
        Assert.Equal(rows, cmd);
    }

    [Fact]
    public async Task SeriesByNode_WindowsUserAndCluster_EachNodesOwnRows()
    {
        // Step 60: alice's n1 windows 960 (90 %, max 100, 11 B) and 990 (10 %, max 12, 9 B) → 50 %, max 100, 10 B, max 11.
        var user = await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Windows, T(900), T(1100), Item: "alice"), 60, Ct);
        Assert.Equal([new NodeSeriesRow("n1", new SeriesRow(960, 50, 100, 10, 11, 2)), new NodeSeriesRow("n2", new SeriesRow(960, 25, 25, 100, 100, 1))], user);
        // Step 30: the node rows as they are (n1 150/170 then 120/130, n2 50/60).
        var cluster = await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.Cluster, SeriesResolution.Windows, T(900), T(1100)), 30, Ct);
        Assert.Equal([("n1", 960L, 150.0, 170.0), ("n1", 990L, 120.0, 130.0), ("n2", 960L, 50.0, 60.0)],
            cluster.Select(r => (r.Node, r.Row.Time, r.Row.CpuAvgPct, r.Row.CpuMaxPct)));
    }

    [Fact]
    public async Task SeriesByNode_HostileUserAndRangeOutsideTheRows()
    {
        Assert.Equal([new NodeSeriesRow("n1", new SeriesRow(1005, 30, 30, 5, 5, 1))],
            await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1000), T(1010), Item: Evil), 5, Ct));
        // [1010, 2000) holds no sample; [1000, 1005) only the first.
        Assert.Empty(await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1010), T(2000), Item: "alice"), 5, Ct));
        Assert.Single(await _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T(1000), T(1005), Item: "alice"), 5, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.SeriesByNodeAsync(new SeriesQuery(SeriesScope.Node, SeriesResolution.Samples, T(1000), T(1010), "n1"), 5, Ct));
    }

    [Fact]
    public async Task WindowTop_OverlappingWindow_MergesUsersAcrossNodes()
    {
        // A 5 s point at 975 falls in the window [960, 990).
        var top = await _store.WindowTopAsync(new WindowTopQuery(ItemKind.User, T(974), T(975)), Ct);
        Assert.Equal([("alice", "n1,n2", 115.0, 960L, 990L), ("bob", "n1", 20.0, 960L, 990L)],
            top.Select(i => (i.Key, i.Node, i.CpuAvgPct, i.WindowStart, i.WindowEnd)));
    }

    [Fact]
    public async Task LatestWindowTopAndLatestSamples_PerNode()
    {
        var latest = await _store.LatestWindowTopAsync(new WindowTopQuery(ItemKind.User, T(0), T(0)), Ct);
        Assert.Equal([("alice", 25.0 + 10.0)], latest.Select(i => (i.Key, i.CpuAvgPct)));
        var samples = await _store.LatestSamplesAsync(Ct);
        Assert.Equal(new LatestSample(T(1005), 120, 1100, 2), samples["n1"]);
        Assert.Equal(new LatestSample(T(1005), 50, 3000, 1), samples["n2"]);
    }
}
