using ClusterWatch.Core.Storage;
using ClusterWatch.Web;

namespace ClusterWatch.Tests.Web;

public class NodeSeriesTests
{
    [Fact]
    public void Split_TotalBucketed_NodesRankedByCpuTimesTimestampsThenName()
    {
        // The unsplit rows at 100, 105, 110; step 10: [100, 110) averages 40 and 20 → 30, max 60, memory (150 + 200) / 2
        // = 175, max 200; [110, 120) is 110 alone.
        var total = new[] { new SeriesRow(100, 40, 60, 150, 160, 2), new SeriesRow(105, 20, 25, 200, 200, 1), new SeriesRow(110, 5, 5, 1, 1, 1) };
        // Node buckets: a 15.12345 % over 2 timestamps ≈ 30.25 %·ts, b 30.5 % over 1 = 30.5, c 5 → b, a; c dropped by top = 2.
        var byNode = new[]
        {
            new NodeSeriesRow("a", new SeriesRow(100, 15.12345, 25, 150.4, 200.6, 2)),
            new NodeSeriesRow("b", new SeriesRow(100, 30.5, 40, 50, 60, 1)),
            new NodeSeriesRow("c", new SeriesRow(110, 5, 5, 1, 1, 1)),
        };
        var split = NodeSeries.Split(total, byNode, 10, 2);
        Assert.Equal([new SeriesPoint(100, 30, 60, 175, 200), new SeriesPoint(110, 5, 5, 1, 1)], split.Total);
        Assert.Equal(3, split.NodeCount);
        Assert.Equal(["b", "a"], split.Nodes.Select(n => n.Node));
        Assert.Equal([new SeriesPoint(100, 30.5, 40, 50, 60)], split.Nodes[0].Points);
        Assert.Equal([new SeriesPoint(100, 15.12, 25, 150, 201)], split.Nodes[1].Points); // rounded as the API rounds: 2 decimals, whole bytes
    }

    [Fact]
    public void Split_EqualCpu_ByName()
    {
        var byNode = new[] { new NodeSeriesRow("n2", new SeriesRow(100, 10, 10, 1, 1, 1)), new NodeSeriesRow("n1", new SeriesRow(100, 10, 10, 1, 1, 1)) };
        Assert.Equal(["n1", "n2"], NodeSeries.Split([], byNode, 5, 8).Nodes.Select(n => n.Node));
    }

    [Fact]
    public void Split_NoRows_NoPointsNoNodes()
    {
        var split = NodeSeries.Split([], [], 5, 8);
        Assert.Equal((0, 0, 0), (split.Total.Count, split.Nodes.Count, split.NodeCount));
    }
}
