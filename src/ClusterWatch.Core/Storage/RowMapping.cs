using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

/// <summary>Records → row values in the column order of <see cref="Tables"/>. Times are UTC epoch seconds.</summary>
internal static class RowMapping
{
    public static long Epoch(DateTimeOffset t) => t.ToUnixTimeSeconds();

    public static object?[] Sample(NodeSample s) =>
    [
        s.Node, s.Seq, Epoch(s.Time), s.IntervalSeconds, s.CpuBusyPct, s.MemUsedBytes, s.MemTotalBytes, s.CpuCount,
        s.ProcessCount, s.UnattributedCpuPct, (int)s.Flags,
    ];

    public static IEnumerable<object?[]> Users(NodeSample s) => s.Users.Select(u => new object?[]
    {
        s.Node, s.Seq, Epoch(s.Time), u.User, u.Uid, u.CpuPct, u.OwnCpuPct, u.ChildrenCpuPct, u.RssBytes, u.MemPct,
        u.ProcessCount,
    });

    public static IEnumerable<object?[]> Processes(NodeSample s) => s.Processes.Select(p => new object?[]
    {
        s.Node, s.Seq, Epoch(s.Time), p.Pid, p.StartTicks, p.User, p.Uid, p.Command, p.State.ToString(), p.CpuPct,
        p.ChildrenCpuPct, p.RssBytes, p.MemPct,
    });

    public static object?[] Window(WindowRow w) =>
    [
        w.Node, Epoch(w.Start), Epoch(w.End), w.Kind.ToText(), w.ItemKey, w.User, w.Command, w.Pid, w.Samples,
        w.SampleSeconds, w.Cpu.Avg, w.Cpu.Max, w.Cpu.Last1, w.Cpu.Last2, w.Cpu.Last3, Bytes(w.Rss.Avg),
        Bytes(w.Rss.Max), Bytes(w.Rss.Last1), Bytes(w.Rss.Last2), Bytes(w.Rss.Last3), w.MemPct.Avg, w.MemPct.Max,
        w.MemPct.Last1, w.MemPct.Last2, w.MemPct.Last3,
    ];

    public static object?[] History(HistoryRow h) =>
    [
        h.Node, Epoch(h.Start), Epoch(h.End), h.Kind.ToText(), h.ItemKey, h.User, h.Command, h.Pid, h.Samples,
        h.SampleSeconds, h.Cpu.Avg, h.Cpu.Max, h.Cpu.W1, h.Cpu.W2, h.Cpu.W3, Bytes(h.Rss.Avg), Bytes(h.Rss.Max),
        Bytes(h.Rss.W1), Bytes(h.Rss.W2), Bytes(h.Rss.W3), h.MemPct.Avg, h.MemPct.Max, h.MemPct.W1, h.MemPct.W2,
        h.MemPct.W3,
    ];

    public static object?[] Node(NodeStatus n) =>
    [
        n.Node, n.Host, n.Source, n.State.ToText(), Epoch(n.LastSeen), Epoch(n.LastSeen), n.LastError, n.CpuCount,
        n.MemTotalBytes,
    ];

    private static long Bytes(double v) => (long)Math.Round(v);

    private static long? Bytes(double? v) => v is { } x ? (long)Math.Round(x) : null;
}
