using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ClusterWatch.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>The JSON API and /metrics of `serve` over the data of a real watch run; expected values from the SQLite file itself.</summary>
[Collection(WatchRunCollection.Name)]
public sealed class ApiTests(WatchRunFixture run)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var text = await run.Http.GetStringAsync(run.BaseUrl + path, Ct);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private long Scalar(string sql, params (string Name, object Value)[] args)
    {
        using var c = new SqliteConnection($"Data Source={run.Db};Mode=ReadOnly");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in args)
            cmd.Parameters.AddWithValue(n, v);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Nodes_ShowTheWatchedNodeWithItsLastSample()
    {
        var nodes = await GetJsonAsync("/api/nodes");
        var node = Assert.Single(nodes.GetProperty("nodes").EnumerateArray());
        Assert.Equal("up", node.GetProperty("status").GetString());
        Assert.Equal(Scalar("SELECT MAX(ts) FROM samples"), node.GetProperty("lastSample").GetInt64());
        Assert.False(nodes.GetProperty("live").GetBoolean());
    }

    [Fact]
    public void Watch_ServesTheApiWhileSampling()
    {
        Assert.True(JsonDocument.Parse(run.LiveSeries).RootElement.GetProperty("points").GetArrayLength() > 0);
        var top = JsonDocument.Parse(run.LiveTop).RootElement;
        Assert.Equal("live", top.GetProperty("source").GetString());
        Assert.Equal(3, top.GetProperty("items").GetArrayLength());
        Assert.Contains("dashboard: http://127.0.0.1:", run.WatchOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("windows", "SELECT COUNT(DISTINCT window_start_ts) FROM windows WHERE kind = 'node' AND window_start_ts >= @f AND window_start_ts < @t")]
    [InlineData("history", "SELECT COUNT(DISTINCT cycle_start_ts) FROM history WHERE kind = 'node' AND cycle_start_ts >= @f AND cycle_start_ts < @t")]
    [InlineData("samples", "SELECT COUNT(DISTINCT ts) FROM samples WHERE ts >= @f AND ts < @t")]
    public async Task Series_OnePointPerStoredTimestamp_WhenTheStepIsShort(string resolution, string countSql)
    {
        // 2 minutes → 1 s buckets: no merging, so the API returns exactly one point per stored timestamp.
        var to = Scalar("SELECT MAX(ts) FROM samples") + 1;
        var from = to - 120;
        var s = await GetJsonAsync($"/api/series?scope=cluster&from={from}&to={to}&resolution={resolution}");
        Assert.Equal(1, s.GetProperty("stepSeconds").GetInt64());
        var expected = Scalar(countSql, ("@f", from), ("@t", to));
        Assert.True(expected > 0, "the watch run stored nothing at this resolution");
        Assert.Equal(expected, s.GetProperty("points").GetArrayLength());
    }

    [Fact]
    public async Task Top_OfAWindow_IsWhatTheWindowsTableHolds()
    {
        var ws = Scalar("SELECT MAX(window_start_ts) FROM windows WHERE window_end_ts - window_start_ts = 3");
        var top = await GetJsonAsync($"/api/top?kind=user&from={ws}&to={ws + 3}&top=1");
        var first = Assert.Single(top.GetProperty("items").EnumerateArray());
        using var c = new SqliteConnection($"Data Source={run.Db};Mode=ReadOnly");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT username, cpu_avg_pct FROM windows WHERE kind = 'user' AND window_start_ts = @w ORDER BY cpu_avg_pct DESC, rss_avg_bytes DESC LIMIT 1";
        cmd.Parameters.AddWithValue("@w", ws);
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(r.GetString(0), first.GetProperty("user").GetString());
        // The API rounds percentages to 2 decimals (docs/api.md): the stored average, rounded so, exactly.
        Assert.Equal(Math.Round(r.GetDouble(1), 2, MidpointRounding.AwayFromZero), first.GetProperty("cpuPct").GetDouble());
        Assert.Equal(ws, top.GetProperty("from").GetInt64());
        Assert.Equal(ws + 3, top.GetProperty("to").GetInt64());
    }

    [Theory]
    [InlineData("/api/series?range=1h", "scope is required")]
    [InlineData("/api/series?scope=cluster&range=31d", "longer than the limit of 30 days")]
    [InlineData("/api/series?scope=cluster&range=banana", "is not a duration")]
    [InlineData("/api/series?scope=cluster&range=9999999999d", "range '9999999999d' is not a duration")]
    [InlineData("/api/series?scope=cluster&range=9223372036854775807s", "is not a duration")]
    [InlineData("/api/series?scope=cluster&range=NaN", "range 'NaN' is not a duration")]
    [InlineData("/api/series?scope=cluster&range=infinityd", "is not a duration")]
    [InlineData("/api/series?scope=cluster&from=100&to=50", "to must be after from")]
    [InlineData("/api/series?scope=user", "needs user=NAME")]
    [InlineData("/api/series?scope=process&node=x&process=%3Cimg%3E", "is not a process key")]
    [InlineData("/api/series?scope=cluster&scope=node", "more than once")]
    [InlineData("/api/series?scope=node&node=x&by=node", "drop node=")]
    [InlineData("/api/series?scope=user&user=x&by=node&top=500", "from 1 to 100")]
    [InlineData("/api/top?kind=thread", "is not user, process or command")]
    [InlineData("/api/top?top=100000", "from 1 to 1000")]
    [InlineData("/api/top?from=1796292000", "give both from and to")]
    [InlineData("/api/nodes?x=1", "unknown parameter 'x'; this endpoint takes no parameters")]
    [InlineData("/api/nodes?x=1&x=2", "more than once")]
    public async Task BadParameters_400WithAMessage(string path, string message)
    {
        using var res = await run.Http.GetAsync(run.BaseUrl + path, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        var body = JsonDocument.Parse(await res.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Contains(message, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/app.js")]
    [InlineData("/api/nodes")]
    [InlineData("/metrics")]
    public async Task SecurityHeaders_OnEveryResponse(string path)
    {
        using var res = await run.Http.GetAsync(run.BaseUrl + path, Ct);
        Assert.Equal(HttpStatusCode.OK, res.StatusCode);
        var csp = string.Join(";", res.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(res.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Page_HasNoInlineScriptAndNoThirdPartyUrl()
    {
        var html = await run.Http.GetStringAsync(run.BaseUrl + "/", Ct);
        Assert.Matches("<script type=\"module\" src=\"app.js\"></script>", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<script"));
        foreach (var file in new[] { "/", "/app.js", "/views.js", "/chart.js", "/api.js", "/dom.js", "/format.js", "/app.css" })
            Assert.DoesNotMatch("https?://(?!www\\.w3\\.org/2000/svg)", await run.Http.GetStringAsync(run.BaseUrl + file, Ct));
    }

    [Fact]
    public async Task Metrics_OfTheRunningWatcher_PassPromtool()
    {
        var promtool = TestServers.Require("CW_TEST_PROMTOOL", "promtool (Debian package prometheus)");
        Assert.Contains("clusterwatch_node_up{node=", run.Metrics, StringComparison.Ordinal);
        Assert.Contains("clusterwatch_user_cpu_seconds_total{node=", run.Metrics, StringComparison.Ordinal);
        Assert.Equal("", await PromtoolAsync(promtool, run.Metrics));
    }

    [Fact]
    public async Task SeriesByNode_TotalAndEachNode_AsTheSeparateCallsGiveThem()
    {
        var user = (await GetJsonAsync("/api/top?kind=user&top=1")).GetProperty("items")[0].GetProperty("user").GetString()!;
        var to = Scalar("SELECT MAX(ts) FROM samples") + 1;
        var range = $"from={to - 600}&to={to}";
        var u = Uri.EscapeDataString(user);
        var split = await GetJsonAsync($"/api/series?scope=user&user={u}&by=node&{range}");
        var total = await GetJsonAsync($"/api/series?scope=user&user={u}&{range}");
        Assert.Equal(total.GetProperty("points").ToString(), split.GetProperty("points").ToString());
        var node = Assert.Single(split.GetProperty("nodes").EnumerateArray());
        Assert.Equal(1, split.GetProperty("nodeCount").GetInt32());
        var name = node.GetProperty("node").GetString()!;
        var own = (await GetJsonAsync($"/api/series?scope=user&user={u}&node={Uri.EscapeDataString(name)}&{range}")).GetProperty("points");
        var mine = node.GetProperty("points");
        Assert.True(own.GetArrayLength() > 0);
        Assert.Equal(own.GetArrayLength(), mine.GetArrayLength());
        // Bucketed in SQL rather than in C#: the same points, up to the last rounded digit of an average.
        for (var i = 0; i < own.GetArrayLength(); i++)
        {
            Assert.Equal(own[i].GetProperty("t").GetInt64(), mine[i].GetProperty("t").GetInt64());
            Assert.Equal(own[i].GetProperty("cpuAvg").GetDouble(), mine[i].GetProperty("cpuAvg").GetDouble(), 0.0101);
            Assert.Equal(own[i].GetProperty("cpuMax").GetDouble(), mine[i].GetProperty("cpuMax").GetDouble(), 0.0101);
            Assert.Equal(own[i].GetProperty("memMax").GetDouble(), mine[i].GetProperty("memMax").GetDouble(), 1.5);
        }
    }

    [Fact]
    public async Task Metrics_UnderServe_FromTheNewestStoredSample_PassPromtool()
    {
        var promtool = TestServers.Require("CW_TEST_PROMTOOL", "promtool (Debian package prometheus)");
        var text = await run.Http.GetStringAsync(run.BaseUrl + "/metrics", Ct);
        var last = Scalar("SELECT MAX(ts) FROM samples");
        Assert.Contains($"clusterwatch_node_last_sample_timestamp_seconds{{node=\"", text, StringComparison.Ordinal);
        Assert.Contains($"\"}} {last}\n", text, StringComparison.Ordinal);
        Assert.Contains("clusterwatch_user_cpu_cores{node=", text, StringComparison.Ordinal);
        Assert.Contains("clusterwatch_process_memory_rss_bytes{node=", text, StringComparison.Ordinal);
        // The watcher's own counters are in no database.
        Assert.DoesNotContain("clusterwatch_user_cpu_seconds_total", text, StringComparison.Ordinal);
        Assert.DoesNotContain("clusterwatch_node_samples_total", text, StringComparison.Ordinal);
        Assert.Equal("", await PromtoolAsync(promtool, text));
    }

    /// <summary>Runs `promtool check metrics` on the text; returns its complaints ("" when clean).</summary>
    internal static async Task<string> PromtoolAsync(string promtool, string text)
    {
        var psi = new ProcessStartInfo(promtool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("check");
        psi.ArgumentList.Add("metrics");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync(text);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        return p.ExitCode == 0 ? "" : $"exit {p.ExitCode}: {await stdout}{await stderr}";
    }
}
