using ClusterWatch.Core.Storage;
using ClusterWatch.Web;

namespace ClusterWatch.Tests.Web;

public class NodeSeriesTests
{
    private static NodeSeriesRow R(string node, long t, double cpu, double cpuMax, double mem, double memMax) =>
        new(node, new SeriesRow(t, cpu, cpuMax, mem, memMax, 1));

    [Fact]
    public void Split_TotalSumsNodesPerTime_NodesRankedByCpuThenName()
    {
        // a: 10 + 20 = 30 % over the range, b: 30, c: 5 → a and b (tie on CPU, by name), c dropped by top = 2.
        var rows = new[] { R("a", 100, 10, 20, 100, 100), R("b", 100, 30, 40, 50, 60), R("a", 105, 20, 25, 200, 200), R("c", 110, 5, 5, 1, 1) };
        var split = NodeSeries.Split(rows, 10, 2);
        // Per time: 100 → 40 % (max 20 + 40 = 60), 150 B (max 160); 105 → 20/25/200/200; 110 → 5/5/1/1.
        // Step 10: [100, 110) averages 40 and 20 → 30, max 60, memory (150 + 200) / 2 = 175, max 200; [110, 120) is 110 alone.
        Assert.Equal([new SeriesPoint(100, 30, 60, 175, 200), new SeriesPoint(110, 5, 5, 1, 1)], split.Total);
        Assert.Equal(3, split.NodeCount);
        Assert.Equal(["a", "b"], split.Nodes.Select(n => n.Node));
        Assert.Equal([new SeriesPoint(100, 15, 25, 150, 200)], split.Nodes[0].Points);
        Assert.Equal([new SeriesPoint(100, 30, 40, 50, 60)], split.Nodes[1].Points);
    }

    [Fact]
    public void Split_NoRows_NoPointsNoNodes()
    {
        var split = NodeSeries.Split([], 5, 8);
        Assert.Equal((0, 0, 0), (split.Total.Count, split.Nodes.Count, split.NodeCount));
    }
}
