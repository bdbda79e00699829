using ClusterWatch.Core.Storage;

namespace ClusterWatch.Web;

/// <summary>One node's chart of a series split by node.</summary>
public sealed record NodePoints(string Node, IReadOnlyList<SeriesPoint> Points);

/// <summary>A series split by node: the total over all nodes, the top nodes' own series, and how many nodes had rows.</summary>
public sealed record SplitSeries(IReadOnlyList<SeriesPoint> Total, IReadOnlyList<NodePoints> Nodes, int NodeCount);

/// <summary>
/// Turns the (time, node) rows of <see cref="IUsageQueries.SeriesByNodeAsync"/> into what the user view draws, from one
/// query: the total (per timestamp the sum over nodes — exactly what the unsplit series sums in SQL) and the per-node
/// series, each bucketed like any other series.
/// </summary>
public static class NodeSeries
{
    /// <summary>
    /// Nodes are ranked by the CPU they carried over the range (the sum of their rows' averages), then by name; the first
    /// <paramref name="top"/> keep their series, in that order. Rows must come ordered by time.
    /// </summary>
    public static SplitSeries Split(IReadOnlyList<NodeSeriesRow> rows, long step, int top)
    {
        var total = rows
            .GroupBy(r => r.Row.Time)
            .Select(g => new SeriesRow(g.Key, g.Sum(r => r.Row.CpuAvgPct), g.Sum(r => r.Row.CpuMaxPct), g.Sum(r => r.Row.MemAvgBytes), g.Sum(r => r.Row.MemMaxBytes), g.Sum(r => r.Row.Rows)))
            .ToList();
        var byNode = rows.GroupBy(r => r.Node, StringComparer.Ordinal).ToList();
        var nodes = byNode
            .OrderByDescending(g => g.Sum(r => r.Row.CpuAvgPct)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(top)
            .Select(g => new NodePoints(g.Key, SeriesBuckets.Merge(g.Select(r => r.Row).ToList(), step)))
            .ToList();
        return new SplitSeries(SeriesBuckets.Merge(total, step), nodes, byNode.Count);
    }
}
