using ClusterWatch.Core.Metrics;
using ClusterWatch.Core.Model;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>/metrics text checked by Prometheus's own promtool: a busy node (5,000 processes, 500 users) and hostile names.</summary>
public sealed class MetricsPromtoolTests
{
    [Fact]
    public async Task ManyProcessesAndUsers_PassPromtool_AndSeriesStayBounded()
    {
        var promtool = TestServers.Require("CW_TEST_PROMTOOL", "promtool (Debian package prometheus)");
        var now = DateTimeOffset.FromUnixTimeSeconds(1796292000);
        var nodes = new List<NodeMetrics>();
        for (var n = 0; n < 3; n++)
        {
            var users = Enumerable.Range(0, 500).Select(i => new UserUsage(i == 7 ? "we\"ird\\user\nx" : $"u{i}", 1000 + i, i % 9, i % 9, 0, 1L << 20, 0.1, 10)).ToList();
            var procs = Enumerable.Range(1, 5000).Select(i => new ProcessUsage(i, i, 1000 + (i % 500), $"u{i % 500}",
                i == 3 ? "<img src=x onerror=alert(1)>" : i == 4 ? "</script><script>" : $"cmd{i % 300}", 'S', i % 13, 0, 4096L * i, 0.01)).ToList();
            var sample = new NodeSample($"node{n}", 1, now, 5, 300, 1L << 33, 1L << 34, 8, 5000, 0, SampleFlags.None, users, procs);
            nodes.Add(new NodeMetrics($"node{n}", NodeState.Up, sample, users.ToDictionary(u => u.User, u => (double)u.Uid), 10, 1, 3, 0.2));
        }
        var text = PrometheusWriter.Write(new MetricsSnapshot(now, nodes), topN: 20);
        Assert.Equal("", await ApiTests.PromtoolAsync(promtool, text));
        var series = text.Split('\n').Count(l => l.Length > 0 && !l.StartsWith('#'));
        // Per node: 2 status + 7 gauges + 4 × 21 user series + 2 × 21 process series + 4 health; plus 1 start time.
        Assert.Equal(1 + 3 * (2 + 7 + 4 * 21 + 2 * 21 + 4), series);
    }
}
