using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Aggregation;

/// <summary>Rows closed by the aggregator, to be written by the store.</summary>
public sealed record AggregationOutput(IReadOnlyList<WindowRow> Windows, IReadOnlyList<HistoryRow> History)
{
    public static readonly AggregationOutput Empty = new([], []);

    public bool IsEmpty => Windows.Count == 0 && History.Count == 0;
}

/// <summary>
/// Collects each node's stored samples into windows and cycles and closes them. Stateful (one of the pipeline's two
/// stateful stages); all the arithmetic is in <see cref="WindowMath"/>. A window closes as soon as the sample ending
/// at its end arrives, or when the clock passes its end (missing samples); a stop flushes the partial window and
/// cycle, which a restart inside them completes (the store upserts by window start and item).
/// </summary>
public sealed class WindowAggregator
{
    private readonly int _sampleSeconds;
    private readonly TimeSpan _window;
    private readonly TimeSpan _cycle;
    private readonly Dictionary<string, NodeState> _nodes = new(StringComparer.Ordinal);

    public WindowAggregator(TimeSpan sample, TimeSpan window, TimeSpan cycle)
    {
        _sampleSeconds = (int)sample.TotalSeconds;
        if (window <= TimeSpan.Zero || cycle.Ticks % window.Ticks != 0)
            throw new ArgumentException("a cycle must be a whole number of windows", nameof(cycle));
        _window = window;
        _cycle = cycle;
    }

    /// <summary>
    /// Adds a stored sample; returns what it closed (the window it completes, and the cycle). <paramref name="alive"/>:
    /// every process of the snapshot before the volume rule, so a process counts every sample it was alive in, not
    /// only those in which its row was kept (null: only the stored rows are known).
    /// </summary>
    public AggregationOutput Add(NodeSample sample, IReadOnlyList<ProcessUsage>? alive = null)
    {
        var node = Node(sample.Node);
        var ws = WindowMath.PeriodStart(sample.Time, _window);
        if (node.WindowStart is { } open && ws < open)
            return AggregationOutput.Empty; // older than the open window: already closed, never reopened
        var output = Advance(sample.Node, ws);
        var cs = WindowMath.PeriodStart(sample.Time, _cycle);
        node.WindowStart ??= ws;
        node.CycleStart ??= cs;
        var values = SampleValues.From(sample, alive);
        node.Window.Add(values);
        node.Cycle.Add(values);
        return Merge(output, Advance(sample.Node, sample.Time));
    }

    /// <summary>Writes out the open (partial) window and cycle of every node, e.g. at stop.</summary>
    public AggregationOutput Flush()
    {
        var windows = new List<WindowRow>();
        var history = new List<HistoryRow>();
        foreach (var (name, node) in _nodes)
        {
            if (node.WindowStart is { } ws && node.Window.Count > 0)
                windows.AddRange(WindowMath.Window(name, ws, _window, _sampleSeconds, node.Window));
            if (node.CycleStart is { } cs && node.Cycle.Count > 0)
                history.AddRange(WindowMath.Cycle(name, cs, _cycle, _window, _sampleSeconds, node.Cycle));
        }
        return new AggregationOutput(windows, history);
    }

    /// <summary>Closes every window and cycle of the node that ended at or before <paramref name="now"/>.</summary>
    public AggregationOutput Advance(string nodeName, DateTimeOffset now)
    {
        var node = Node(nodeName);
        List<WindowRow>? windows = null;
        List<HistoryRow>? history = null;
        if (node.WindowStart is { } ws && ws + _window <= now)
        {
            windows = WindowMath.Window(nodeName, ws, _window, _sampleSeconds, node.Window);
            node.Window.Clear();
            node.WindowStart = null;
        }
        if (node.CycleStart is { } cs && cs + _cycle <= now)
        {
            history = WindowMath.Cycle(nodeName, cs, _cycle, _window, _sampleSeconds, node.Cycle);
            node.Cycle.Clear();
            node.CycleStart = null;
        }
        return windows == null && history == null ? AggregationOutput.Empty : new AggregationOutput(windows ?? [], history ?? []);
    }

    private static AggregationOutput Merge(AggregationOutput a, AggregationOutput b) =>
        a.IsEmpty ? b : b.IsEmpty ? a : new AggregationOutput([.. a.Windows, .. b.Windows], [.. a.History, .. b.History]);

    private NodeState Node(string name)
    {
        if (!_nodes.TryGetValue(name, out var node))
            _nodes[name] = node = new NodeState();
        return node;
    }

    private sealed class NodeState
    {
        public DateTimeOffset? WindowStart;
        public DateTimeOffset? CycleStart;
        public readonly List<SampleValues> Window = new();
        public readonly List<SampleValues> Cycle = new();
    }
}
