using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Tests.Web;

/// <summary>The node-total rows (kind "node") the dashboard's cluster and node charts read from windows and history.</summary>
public class NodeTotalsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static NodeSample Sample(int second, double busy, long used) =>
        new("n1", second, T0.AddSeconds(second), 1, busy, used, 4000, 2, 1, 0, SampleFlags.None,
            [new UserUsage("alice", 1000, 10, 10, 0, 5, 0.1, 1)], []);

    [Fact]
    public void Window_NodeRow_AveragesBusyCpuAndUsedMemory()
    {
        // Busy 150, 90, 60 → avg 100, max 150; used 1000, 2000, 3000 bytes of 4000 → avg 2000 (50 %), max 3000.
        var samples = new[] { Sample(1, 150, 1000), Sample(2, 90, 2000), Sample(3, 60, 3000) }.Select(s => SampleValues.From(s)).ToList();
        var rows = WindowMath.Window("n1", T0, TimeSpan.FromSeconds(3), 1, samples);
        var node = rows.Single(r => r.Kind == ItemKind.Node);
        Assert.Equal(("", 3, 100.0, 150.0, 60.0), (node.ItemKey, node.Samples, node.Cpu.Avg, node.Cpu.Max, node.Cpu.Last1!.Value));
        Assert.Equal((2000.0, 3000.0, 50.0), (node.Rss.Avg, node.Rss.Max, node.MemPct.Avg));
        Assert.Equal("node", ItemKind.Node.ToText());
        Assert.Throws<FormatException>(() => ItemKinds.Parse("node"));
    }
}
