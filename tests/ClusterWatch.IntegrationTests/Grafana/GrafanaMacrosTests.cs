using System.Text.Json;

namespace ClusterWatch.IntegrationTests.Grafana;

/// <summary>
/// The expander against Grafana's own MySQL macro test expectations (grafana-mysql-macro-cases.json names the file
/// and commit they come from), plus the interval and variable rules Grafana's source follows.
/// </summary>
public sealed class GrafanaMacrosTests
{
    private static readonly JsonElement Data = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Grafana", "grafana-mysql-macro-cases.json"))).RootElement;

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Data.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Expand_GrafanaTestCase_GivesGrafanasExpectedSql(string name)
    {
        var c = Data.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var ctx = new GrafanaMacros.Context(DateTimeOffset.Parse(c.GetProperty("from").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(c.GetProperty("to").GetString()!, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMinutes(1), new Dictionary<string, IReadOnlyList<string>>());
        Assert.Equal(c.GetProperty("expected").GetString(), GrafanaMacros.Expand(c.GetProperty("input").GetString()!, ctx));
    }

    [Fact]
    public void Expand_UserIdentityQueries_Refused()
    {
        var ctx = new GrafanaMacros.Context(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1), new Dictionary<string, IReadOnlyList<string>>());
        foreach (var q in Data.GetProperty("refused").EnumerateArray())
            Assert.Throws<InvalidOperationException>(() => GrafanaMacros.Expand(q.GetString()!, ctx));
        Assert.Equal("SELECT username FROM history", GrafanaMacros.Expand("SELECT username FROM history", ctx)); // our column is fine
    }

    [Theory]
    [InlineData(90, "1m")]
    [InlineData(60, "1m")]
    [InlineData(1.5, "1s")]
    [InlineData(0.5, "500ms")]
    [InlineData(7200, "2h")]
    [InlineData(9000, "2h")]
    [InlineData(86400, "1d")]
    public void FormatInterval_KeepsTheLargestWholeUnit(double seconds, string expected) =>
        Assert.Equal(expected, GrafanaMacros.FormatInterval(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Expand_IntervalAndMultiValueVariables()
    {
        var vars = new Dictionary<string, IReadOnlyList<string>> { ["user"] = ["alice", "o'neil"], ["node"] = ["n1"] };
        var ctx = new GrafanaMacros.Context(DateTimeOffset.FromUnixTimeSeconds(1000), DateTimeOffset.FromUnixTimeSeconds(2000), TimeSpan.FromSeconds(90), vars);
        Assert.Equal("SELECT ts DIV 60 * 60 AS \"time\" WHERE username IN ('alice','o''neil') AND node_name IN ('n1') AND 90000 > 0",
            GrafanaMacros.Expand("SELECT $__unixEpochGroupAlias(ts, $__interval) WHERE username IN ($user) AND node_name IN (${node}) AND $__interval_ms > 0", ctx));
        Assert.Equal("alice,o'neil", GrafanaMacros.Expand("${user:csv}", ctx)); // why the dashboards never use :csv
    }
}
