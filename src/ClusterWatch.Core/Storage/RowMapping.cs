using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

/// <summary>Records → row values in the column order of <see cref="Tables"/>. Times are UTC epoch seconds.</summary>
internal static class RowMapping
{
    public static long Epoch(DateTimeOffset t) => t.ToUnixTimeSeconds();

    /// <summary>A <c>samples</c> row.</summary>
    public static void Sample(IRowWriter w, NodeSample s)
    {
        w.Text(s.Node); w.Integer(s.Seq); w.Integer(Epoch(s.Time)); w.Real(s.IntervalSeconds); w.Real(s.CpuBusyPct);
        w.Integer(s.MemUsedBytes); w.Integer(s.MemTotalBytes); w.Integer(s.CpuCount); w.Integer(s.ProcessCount);
        w.Real(s.UnattributedCpuPct); w.Integer((int)s.Flags);
    }

    /// <summary>A <c>user_samples</c> row.</summary>
    public static void User(IRowWriter w, NodeSample s, UserUsage u)
    {
        w.Text(s.Node); w.Integer(s.Seq); w.Integer(Epoch(s.Time)); w.Text(u.User); w.Integer(u.Uid); w.Real(u.CpuPct);
        w.Real(u.OwnCpuPct); w.Real(u.ChildrenCpuPct); w.Integer(u.RssBytes); w.Real(u.MemPct); w.Integer(u.ProcessCount);
    }

    /// <summary>A <c>process_samples</c> row.</summary>
    public static void Process(IRowWriter w, NodeSample s, ProcessUsage p)
    {
        w.Text(s.Node); w.Integer(s.Seq); w.Integer(Epoch(s.Time)); w.Integer(p.Pid); w.Integer(p.StartTicks);
        w.Text(p.User); w.Integer(p.Uid); w.Text(p.Command); w.Text(StateText(p.State)); w.Real(p.CpuPct);
        w.Real(p.ChildrenCpuPct); w.Integer(p.RssBytes); w.Real(p.MemPct);
    }

    private static readonly string[] AsciiLetters = Enumerable.Range(0, 128).Select(c => ((char)c).ToString()).ToArray();

    /// <summary>The state letter as text, without a new string per process.</summary>
    private static string StateText(char state) => state < 128 ? AsciiLetters[state] : state.ToString();

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
