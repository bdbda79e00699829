using System.Diagnostics;
using System.Globalization;
using ClusterWatch.Core.Storage;
using ClusterWatch.IntegrationTests.Web;
using ClusterWatch.Web;

namespace ClusterWatch.Benchmarks.Dashboard;

/// <summary>
/// `dashboard gen DB`: writes the 7-day data set (<see cref="DashboardData"/>).
/// `dashboard measure DB PORT [CHROMIUM]`: serves DB (as `clusterwatch serve` does) on 127.0.0.1:PORT, then for each
/// view and range times the API calls the page makes (median of 5 after one warm-up) and, with Chromium, the page
/// from navigation start until every chart is drawn (median of 3).
/// </summary>
internal static class DashboardProbe
{
    private static readonly string[] Ranges = ["15m", "1h", "24h", "7d", "30d"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["gen", var path])
        {
            await DashboardData.GenerateAsync(path, DateTimeOffset.UtcNow);
            return 0;
        }
        if (args is ["query", var qdb])
        {
            await using var qs = new SqliteUsageStore(qdb);
            var qend = (await qs.LatestSamplesAsync(CancellationToken.None)).Values.Max(s => s.Time);
            foreach (var (res, span) in new[] { (SeriesResolution.History, TimeSpan.FromDays(7)), (SeriesResolution.Samples, TimeSpan.FromHours(1)) })
            {
                var q = new SeriesQuery(SeriesScope.User, res, qend - span, qend.AddSeconds(1), null, DashboardData.User(0));
                for (var i = 0; i < 3; i++)
                {
                    var sw = Stopwatch.StartNew();
                    var rows = await qs.SeriesByNodeAsync(q, ApiParams.Step(span), CancellationToken.None);
                    var t1 = sw.Elapsed.TotalMilliseconds;
                    var plain = await qs.SeriesAsync(q, CancellationToken.None);
                    var t2 = sw.Elapsed.TotalMilliseconds;
                    NodeSeries.Split(plain, rows, ApiParams.Step(span), 8);
                    Console.WriteLine($"{res} by node: {rows.Count} rows {t1:0} ms; unsplit {plain.Count} rows {t2 - t1:0} ms; split {sw.Elapsed.TotalMilliseconds - t2:0} ms");
                }
            }
            return 0;
        }
        if (args is not ["measure", var db, var portText, ..])
        {
            Console.Error.WriteLine("usage: dashboard gen DB | dashboard measure DB PORT [CHROMIUM]");
            return 2;
        }
        var port = int.Parse(portText, CultureInfo.InvariantCulture);
        ListenAddress.TryParse($"127.0.0.1:{port}", out var listen, out _);
        await using var store = new SqliteUsageStore(db);
        // The server's "now" is the end of the data set (its newest sample), so every range, 15 minutes too, covers the
        // same data however long ago it was generated.
        var end = (await store.LatestSamplesAsync(CancellationToken.None)).Values.Max(s => s.Time);
        await using var app = await WebServer.StartAsync(new WebServerOptions(listen!, null, 10, store, null, new FixedClock(end.AddSeconds(1))), CancellationToken.None);
        var baseUrl = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
        var node = DashboardData.Node(0);
        var user = DashboardData.User(0);
        var command = DashboardData.Command(0);
        // The calls each view makes (views.js); the user view gets its total and 8 nodes' series in one call (by=node).
        var views = new (string Name, string Hash, Func<string, string[]> Calls)[]
        {
            ("cluster", "/cluster", r => ["/api/nodes", $"/api/series?scope=cluster&range={r}", "/api/top?kind=user&top=10", "/api/top?kind=process&top=15"]),
            ("node", $"/node/{node}", r => [$"/api/series?scope=node&node={node}&range={r}", $"/api/top?kind=user&top=10&node={node}", $"/api/top?kind=process&top=15&node={node}"]),
            ("user", $"/user/{user}", r => [$"/api/series?scope=user&user={user}&by=node&top=8&range={r}", $"/api/top?kind=process&user={user}&top=25"]),
            ("command", $"/command/{command}", r => [$"/api/series?scope=command&command={command}&range={r}", $"/api/top?kind=process&command={command}&top=25"]),
        };
        Console.WriteLine("| view | range | API calls | API total, median ms | slowest call, median ms | page drawn, median ms |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        Chromium? browser = args.Length > 3 ? await Chromium.StartAsync(args[3], port + 1, CancellationToken.None) : null;
        var load = 0;
        try
        {
            foreach (var range in Ranges)
                foreach (var (name, hash, calls) in views)
                {
                    var urls = calls(range);
                    var perCall = new List<double>[urls.Length];
                    for (var i = 0; i < urls.Length; i++)
                    {
                        perCall[i] = [];
                        for (var round = 0; round < 6; round++)
                        {
                            var sw = Stopwatch.StartNew();
                            using var res = await http.GetAsync(urls[i]);
                            await res.Content.ReadAsByteArrayAsync();
                            res.EnsureSuccessStatusCode();
                            if (round > 0)
                                perCall[i].Add(sw.Elapsed.TotalMilliseconds);
                        }
                    }
                    var total = Median(Enumerable.Range(0, 5).Select(r => perCall.Sum(c => c[r])));
                    var slowest = perCall.Max(c => Median(c));
                    var page = "–";
                    if (browser != null)
                    {
                        var times = new List<double>();
                        for (var round = 0; round < 3; round++)
                        {
                            await browser.NavigateAsync($"{baseUrl}/?load={++load}#{hash}?range={range}", CancellationToken.None);
                            await browser.WaitForAsync($"location.search === '?load={load}' && !!document.body && document.body.dataset.state === 'ready'", CancellationToken.None, 60);
                            times.Add(double.Parse((await browser.EvalAsync("document.body.dataset.readyMs", CancellationToken.None)).GetString()!, CultureInfo.InvariantCulture));
                        }
                        page = Median(times).ToString("0", CultureInfo.InvariantCulture);
                        if (range == "7d" && name is "cluster" or "user")
                            await browser.ScreenshotAsync(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(db))!, name == "user" ? "dashboard-user-7d.png" : "dashboard-7d.png"), CancellationToken.None);
                    }
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {range} | {urls.Length} | {total:0} | {slowest:0} | {page} |"));
                }
        }
        finally
        {
            if (browser != null)
                await browser.DisposeAsync();
        }
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[(v.Count / 2) - 1] + v[v.Count / 2]) / 2;
    }

    /// <summary>A clock that stays at one instant.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
