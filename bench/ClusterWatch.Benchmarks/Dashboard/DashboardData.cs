using System.Diagnostics;
using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Benchmarks.Dashboard;

/// <summary>
/// Fills a SQLite store, through the store's own write path, with what a 20-node × 50-user cluster leaves behind:
/// 7 days of history (users and 5 commands per node), the last 24 h of windows, the last hour of 5 s samples (one
/// process per user), each with its node-total rows. Deterministic values: a daily wave per user plus a per-node offset.
/// </summary>
internal static class DashboardData
{
    public const int Nodes = 20;
    public const int Users = 50;
    public const int Commands = 5;

    /// <summary>History cycles or windows written per store call (one transaction): ~22,000 rows.</summary>
    private const int BatchPeriods = 20;

    public static string Node(int n) => $"node{n + 1:00}";

    public static string User(int u) => $"user{u + 1:00}";

    public static string Command(int c) => $"cmd{c + 1}";

    private static double Cpu(int n, int u, long t) =>
        Math.Max(0, (u % 5) * 15 + 25 * Math.Sin((2 * Math.PI * t / 86400) + n + (u * 0.3)) + ((t / 90 + u) % 7));

    private static double Rss(int u, long t) => (200 + (u * 37 % 500) + (50 * Math.Sin(t / 3600.0))) * 1048576;

    /// <summary>The node's busy CPU: its users plus 20 % nobody could be credited with; used memory: the users' RSS plus 2 GiB.</summary>
    private static double Busy(int n, long t) => Enumerable.Range(0, Users).Sum(u => Cpu(n, u, t)) + 20;

    private static double Used(long t) => Enumerable.Range(0, Users).Sum(u => Rss(u, t)) + (2L << 30);

    public static async Task GenerateAsync(string path, DateTimeOffset now)
    {
        var end = now.ToUnixTimeSeconds() / 90 * 90;
        await using var store = new SqliteUsageStore(path);
        await store.MigrateAsync(CancellationToken.None);
        // Bulk load: every secondary index of the five big tables is dropped while 12 M rows go in and built once at
        // the end (a sort instead of random B-tree inserts), and rows go in BatchPeriods periods per transaction; the
        // live watcher writes a few thousand rows per 30 s and keeps the indexes updated. The primary keys stay.
        const string bigTables = "('samples', 'user_samples', 'process_samples', 'windows', 'history')";
        var indexes = Exec(path, $"SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN {bigTables}");
        Exec(path, string.Join(";\n", Exec(path, $"SELECT 'DROP INDEX ' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN {bigTables}")));
        var sw = Stopwatch.StartNew();
        for (var n = 0; n < Nodes; n++)
            await store.UpsertNodeAsync(new NodeStatus(Node(n), "10.0.0." + (n + 1), "proc", NodeState.Up, DateTimeOffset.FromUnixTimeSeconds(end), null, 16, 64L << 30), CancellationToken.None);
        long rows = 0;
        for (var first = end - (7 * 86400); first < end; first += 90 * BatchPeriods)
        {
            var history = new List<HistoryRow>(Nodes * (Users + Commands + 1) * BatchPeriods);
            for (var c = first; c < Math.Min(end, first + (90 * BatchPeriods)); c += 90)
            for (var n = 0; n < Nodes; n++)
            {
                for (var u = 0; u < Users; u++)
                    history.Add(History(Node(n), c, ItemKind.User, User(u), User(u), "", Cpu(n, u, c), Rss(u, c)));
                for (var k = 0; k < Commands; k++)
                    history.Add(History(Node(n), c, ItemKind.Command, Command(k), "", Command(k), Cpu(n, k * 10, c) * 3, Rss(k, c) * 4));
                history.Add(History(Node(n), c, ItemKind.Node, "", "", "", Busy(n, c), Used(c)));
            }
            await store.WriteAggregatesAsync(new AggregationOutput([], history), CancellationToken.None);
            rows += history.Count;
        }
        Console.WriteLine($"history: {rows} rows in {sw.Elapsed.TotalSeconds:0.0} s");
        rows = 0;
        for (var first = end - 86400; first < end; first += 30 * BatchPeriods)
        {
            var windows = new List<WindowRow>(Nodes * (Users + Commands + 1) * BatchPeriods);
            for (var w = first; w < Math.Min(end, first + (30 * BatchPeriods)); w += 30)
            for (var n = 0; n < Nodes; n++)
            {
                for (var u = 0; u < Users; u++)
                    windows.Add(Window(Node(n), w, ItemKind.User, User(u), User(u), "", 0, Cpu(n, u, w), Rss(u, w)));
                for (var k = 0; k < Commands; k++)
                    windows.Add(Window(Node(n), w, ItemKind.Command, Command(k), "", Command(k), 0, Cpu(n, k * 10, w) * 3, Rss(k, w) * 4));
                windows.Add(Window(Node(n), w, ItemKind.Node, "", "", "", 0, Busy(n, w), Used(w)));
            }
            await store.WriteAggregatesAsync(new AggregationOutput(windows, []), CancellationToken.None);
            rows += windows.Count;
        }
        Console.WriteLine($"windows: {rows} rows, total {sw.Elapsed.TotalSeconds:0.0} s");
        var seq = 0L;
        for (var t = end - 3600 + 5; t <= end; t += 5)
        {
            seq++;
            for (var n = 0; n < Nodes; n++)
            {
                var users = Enumerable.Range(0, Users).Select(u => new UserUsage(User(u), 1000 + u, Cpu(n, u, t), Cpu(n, u, t), 0, (long)Rss(u, t), 1, 1)).ToList();
                var procs = Enumerable.Range(0, Users).Select(u => new ProcessUsage(1000 + u, 5000 + u, 1000 + u, User(u), Command(u % Commands), 'R', Cpu(n, u, t), 0, (long)Rss(u, t), 1)).ToList();
                await store.WriteSampleAsync(new NodeSample(Node(n), seq, DateTimeOffset.FromUnixTimeSeconds(t), 5, Busy(n, t),
                    (long)Used(t), 64L << 30, 16, 400, 20, SampleFlags.None, users, procs), CancellationToken.None);
            }
        }
        Console.WriteLine($"samples: {seq * Nodes} samples, total {sw.Elapsed.TotalSeconds:0.0} s");
        Exec(path, string.Join(";\n", indexes));
        Console.WriteLine($"indexes rebuilt, total {sw.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Runs SQL on the file outside the store (index maintenance only); returns the first column of every row.</summary>
    private static List<string> Exec(string path, string sql)
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var result = new List<string>();
        do
        {
            while (r.Read())
                result.Add(r.GetString(0));
        }
        while (r.NextResult());
        return result;
    }

    private static HistoryRow History(string node, long start, ItemKind kind, string key, string user, string command, double cpu, double rss) =>
        new(node, DateTimeOffset.FromUnixTimeSeconds(start), DateTimeOffset.FromUnixTimeSeconds(start + 90), kind, key, user, command, 0, 18, 5,
            new CycleStats(cpu, cpu * 1.4, cpu, cpu, cpu), new CycleStats(rss, rss * 1.1, rss, rss, rss), new CycleStats(1, 1.1, 1, 1, 1));

    private static WindowRow Window(string node, long start, ItemKind kind, string key, string user, string command, int pid, double cpu, double rss) =>
        new(node, DateTimeOffset.FromUnixTimeSeconds(start), DateTimeOffset.FromUnixTimeSeconds(start + 30), kind, key, user, command, pid, 6, 5,
            new MetricStats(cpu, cpu * 1.3, cpu, cpu, cpu), new MetricStats(rss, rss * 1.05, rss, rss, rss), new MetricStats(1, 1.1, 1, 1, 1));
}
