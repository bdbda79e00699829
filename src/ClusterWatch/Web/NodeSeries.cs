using ClusterWatch.Core.Storage;

namespace ClusterWatch.Web;

/// <summary>One node's chart of a series split by node.</summary>
public sealed record NodePoints(string Node, IReadOnlyList<SeriesPoint> Points);

/// <summary>A series split by node: the total over all nodes, the top nodes' own series, and how many nodes had rows.</summary>
public sealed record SplitSeries(IReadOnlyList<SeriesPoint> Total, IReadOnlyList<NodePoints> Nodes, int NodeCount);

/// <summary>
/// What the user view draws, from one API call: the total (the unsplit series, bucketed by <see cref="SeriesBuckets"/>)
/// and the per-node series (already bucketed by <see cref="IUsageQueries.SeriesByNodeAsync"/>).
/// </summary>
public static class NodeSeries
{
    /// <summary>
    /// Nodes are ranked by the CPU they carried over the range (per bucket its average × its timestamps, summed), then
    /// by name; the first <paramref name="top"/> keep their series, in that order. Values rounded as the API rounds them (<see cref="ApiNumbers"/>).
    /// </summary>
    public static SplitSeries Split(IReadOnlyList<SeriesRow> total, IReadOnlyList<NodeSeriesRow> byNode, long step, int top)
    {
        var nodes = byNode.GroupBy(r => r.Node, StringComparer.Ordinal).ToList();
        var kept = nodes
            .OrderByDescending(g => g.Sum(r => r.Row.CpuAvgPct * r.Row.Rows)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(top)
            .Select(g => new NodePoints(g.Key, g.Select(r => Point(r.Row)).ToList()))
            .ToList();
        return new SplitSeries(SeriesBuckets.Merge(total, step), kept, nodes.Count);
    }

    private static SeriesPoint Point(SeriesRow r) => ApiNumbers.Point(r.Time, r.CpuAvgPct, r.CpuMaxPct, r.MemAvgBytes, r.MemMaxBytes);
}
