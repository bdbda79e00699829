using ClusterWatch.Core.Metrics;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Tests.Metrics;

public class PrometheusWriterTests
{
    private static readonly DateTimeOffset Ten = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Two nodes (n1 up with a sample, n2 down without one), three users and four processes on n1, top N = 2. The
    /// expected file was written by hand from these numbers (e.g. busy 250 % = 2.5 cores; (other) process = 10 % + 0 %
    /// CPU and 1 MiB + 4 MiB RSS), not captured from the writer.
    /// </summary>
    internal static MetricsSnapshot FixedInput()
    {
        const string bob = "o\"ne\\il";
        var users = new List<UserUsage>
        {
            new("carol", 1003, 10, 10, 0, 1048576, 0.01, 1),
            new("alice", 1001, 150, 120, 30, 1077936128, 12.5, 2),
            new(bob, 1002, 80, 80, 0, 524288000, 6.1, 1),
        };
        var procs = new List<ProcessUsage>
        {
            new(300, 3000, 1003, "carol", "sleep", 'S', 10, 0, 1048576, 0.01),
            new(100, 1000, 1001, "alice", "sim", 'R', 120, 30, 1073741824, 12.5),
            new(400, 4000, 1001, "alice", "bash", 'S', 0, 0, 4194304, 0.05),
            new(200, 2000, 1002, bob, "a\"b\\c\nd", 'R', 80, 0, 524288000, 6.1),
        };
        var sample = new NodeSample("n1", 42, Ten.AddSeconds(5), 5, 250, 3221225472, 8589934592, 4, 5, 10, SampleFlags.None, users, procs);
        return new MetricsSnapshot(Ten,
        [
            new NodeMetrics("n2", NodeState.Down, null, new Dictionary<string, double>(), 0, 5, 0, 5),
            new NodeMetrics("n1", NodeState.Up, sample, new Dictionary<string, double> { ["alice"] = 1200.5, [bob] = 300, ["carol"] = 12.25 }, 100, 2, 7, 0.0125),
        ]);
    }

    [Fact]
    public void Write_FixedInput_MatchesGoldenFile()
    {
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics", "metrics.golden.prom"));
        Assert.Equal(expected, PrometheusWriter.Write(FixedInput(), topN: 2));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("two\nlines", "two\\nlines")]
    [InlineData("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>")]
    public void EscapeLabel_EscapesBackslashQuoteAndNewline(string raw, string escaped) =>
        Assert.Equal(escaped, PrometheusWriter.EscapeLabel(raw));

    [Fact]
    public void Write_5000ProcessesAnd500Users_SeriesStayBounded()
    {
        var users = Enumerable.Range(0, 500).Select(i => new UserUsage($"u{i}", 1000 + i, i % 7, i % 7, 0, 1 << 20, 0.1, 10)).ToList();
        var procs = Enumerable.Range(1, 5000).Select(i => new ProcessUsage(i, i, 1000 + (i % 500), $"u{i % 500}", $"cmd{i % 300}", 'S', i % 13, 0, 4096L * i, 0.01)).ToList();
        var sample = new NodeSample("big", 1, Ten, 5, 300, 1L << 33, 1L << 34, 8, 5000, 0, SampleFlags.None, users, procs);
        var totals = users.ToDictionary(u => u.User, u => (double)u.Uid);
        var text = PrometheusWriter.Write(new MetricsSnapshot(Ten, [new NodeMetrics("big", NodeState.Up, sample, totals, 1, 0, 0, 0.1)]), topN: 10);
        var series = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        // 1 start time + 2 node status + 7 node gauges + 4 user families × (10 + other) + 2 process families × (10 + other) + 2 + 1 + 1 health.
        Assert.Equal(1 + 2 + 7 + 4 * 11 + 2 * 11 + 4, series.Count);
        Assert.Contains("clusterwatch_user_processes{node=\"big\",user=\"(other)\"} 4900", series);
    }

    [Fact]
    public void TopTotals_OtherIsTheSumOfTheRest() =>
        Assert.Equal([("a", 5.0), ("b", 4.0), (PrometheusWriter.Other, 3.5)],
            PrometheusWriter.TopTotals(new Dictionary<string, double> { ["b"] = 4, ["a"] = 5, ["c"] = 1.5, ["d"] = 2 }, 2));

    [Fact]
    public void FormatValue_SpecialValues() =>
        Assert.Equal(["NaN", "+Inf", "-Inf", "0.25", "3"], new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.25, 3 }.Select(PrometheusWriter.FormatValue));
}
