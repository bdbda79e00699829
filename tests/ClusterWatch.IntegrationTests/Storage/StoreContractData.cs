using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.IntegrationTests.Storage;

/// <summary>Hand-made rows for the store contract: every expected value in the tests is computed from these by hand.</summary>
internal static class StoreContractData
{
    /// <summary>A UTC instant on a 90 s boundary, far from now so retention never touches it by accident.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static UserUsage User(string name, double cpu, long rss, double mem, int uid = 1000) =>
        new(name, uid, cpu, cpu, 0, rss, mem, 1);

    public static ProcessUsage Proc(int pid, string user, string command, double cpu, long rss, double mem, long start = 1234, double children = 0) =>
        new(pid, start, 1000, user, command, 'R', cpu, children, rss, mem);

    public static NodeSample Sample(string node, long seq, DateTimeOffset time, IReadOnlyList<UserUsage> users, IReadOnlyList<ProcessUsage> procs) =>
        new(node, seq, time, 5.0, 150.0, 4_000_000_000, 8_000_000_000, 4, procs.Count, 12.5, SampleFlags.None, users, procs);

    /// <summary>alice 100 % then 50 % (pid 10 "sim"); bob 20 % in the first sample only (pid 20 "sh").</summary>
    public static NodeSample[] TwoSamples(string node = "n1") =>
    [
        Sample(node, 1, T0.AddSeconds(5), [User("alice", 100, 1000, 1.0), User("bob", 20, 500, 0.5, 1001)],
            [Proc(10, "alice", "sim", 100, 1000, 1.0), Proc(20, "bob", "sh", 20, 500, 0.5, start: 99)]),
        Sample(node, 2, T0.AddSeconds(10), [User("alice", 50, 3000, 3.0)], [Proc(10, "alice", "sim", 50, 3000, 3.0)]),
    ];

    public static HistoryRow History(string node, DateTimeOffset start, string user, int samples, double cpuAvg) =>
        new(node, start, start.AddSeconds(90), ItemKind.User, user, user, "", 0, samples, 5,
            new CycleStats(cpuAvg, cpuAvg * 2, cpuAvg, null, null), new CycleStats(1000, 2000, 1000, null, null), new CycleStats(1, 2, 1, null, null));

    /// <summary>The node's own row of a cycle (kind node, empty key).</summary>
    public static HistoryRow NodeHistory(string node, DateTimeOffset start, int samples, double cpuAvg) =>
        History(node, start, "", samples, cpuAvg) with { Kind = ItemKind.Node };

    public static WindowRow Window(string node, DateTimeOffset start, string user, double cpuAvg) =>
        new(node, start, start.AddSeconds(30), ItemKind.User, user, user, "", 0, 6, 5,
            new MetricStats(cpuAvg, cpuAvg + 1, 1, 2, 3), new MetricStats(100, 200, 100, 100, 100), new MetricStats(1, 2, 1, 1, 1));

    public static AggregationOutput Aggregates(IReadOnlyList<WindowRow>? windows = null, IReadOnlyList<HistoryRow>? history = null) =>
        new(windows ?? [], history ?? []);
}
