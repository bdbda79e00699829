using System.Text.Json;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>
/// The dashboard in real headless Chromium against `serve` over a real watch run: every view loads, every chart draws
/// one point per API row, a click on a point shows that window's top users, and injected names stay text.
/// Screenshots go to $CW_TEST_RUN/screenshots.
/// </summary>
[Collection(WatchRunCollection.Name)]
public sealed class BrowserTests(WatchRunFixture run) : IAsyncLifetime
{
    private Chromium _browser = null!;
    private int _loads;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var exe = TestServers.Require("CW_TEST_CHROMIUM", "headless Chromium (Debian package chromium)");
        _browser = await Chromium.StartAsync(exe, Ports.Free(), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser != null)
            await _browser.DisposeAsync();
    }

    /// <summary>Loads a view afresh (a new query string forces a real load) and waits until every chart is drawn.</summary>
    private async Task OpenAsync(string hash)
    {
        await _browser.NavigateAsync($"{run.BaseUrl}/?load={++_loads}#{hash}", Ct);
        await _browser.WaitForAsync($"location.search === '?load={_loads}' && !!document.body && document.body.dataset.state === 'ready'", Ct);
    }

    private async Task<JsonElement> Api(string pathAndQuery) =>
        JsonDocument.Parse(await run.Http.GetStringAsync(run.BaseUrl + pathAndQuery, Ct)).RootElement.Clone();

    private async Task<string> Text(string js) => (await _browser.EvalAsync(js, Ct)).GetString() ?? "";

    /// <summary>Every chart grid: its series parameters, the row count the page got, and the points each SVG drew.</summary>
    private async Task AssertEveryChartDrawsEveryRow(string range)
    {
        var grids = await _browser.EvalAsync(
            "[...document.querySelectorAll('.charts')].map(g => ({ series: g.dataset.series, rows: +g.dataset.rows, " +
            "drawn: [...g.querySelectorAll('svg')].map(s => ({ attr: +s.dataset.points, circles: s.querySelectorAll('circle.pt').length })) }))", Ct);
        Assert.True(grids.GetArrayLength() > 0, "no chart on the page");
        foreach (var g in grids.EnumerateArray())
        {
            var p = JsonSerializer.Deserialize<Dictionary<string, string>>(g.GetProperty("series").GetString()!)!;
            var query = string.Join("&", p.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
            var api = await Api($"/api/series?{query}&range={range}");
            var rows = api.GetProperty("points").GetArrayLength();
            Assert.True(rows > 0, $"the API returned no rows for {query} over {range}");
            Assert.Equal(rows, g.GetProperty("rows").GetInt32());
            foreach (var svg in g.GetProperty("drawn").EnumerateArray())
            {
                Assert.Equal(rows, svg.GetProperty("attr").GetInt32());
                Assert.Equal(rows, svg.GetProperty("circles").GetInt32());
            }
        }
        Assert.Equal(0, (await _browser.EvalAsync("document.querySelectorAll('.error').length", Ct)).GetInt32());
    }

    [Fact]
    public async Task EachView_Loads_AndEachChartDrawsEveryApiRow()
    {
        var node = (await Api("/api/nodes")).GetProperty("nodes")[0].GetProperty("name").GetString()!;
        var proc = (await Api("/api/top?kind=process&top=1")).GetProperty("items")[0];
        var user = proc.GetProperty("user").GetString()!;
        var command = proc.GetProperty("command").GetString()!;
        var key = proc.GetProperty("key").GetString()!;
        var views = new (string Name, string Hash)[]
        {
            ("cluster", "/cluster"), ("node", $"/node/{Uri.EscapeDataString(node)}"), ("user", $"/user/{Uri.EscapeDataString(user)}"),
            ("command", $"/command/{Uri.EscapeDataString(command)}"), ("process", $"/process/{Uri.EscapeDataString(node)}/{Uri.EscapeDataString(key)}"),
        };
        // 15m: 5 s rows; 6h: windows; 7d: history.
        foreach (var range in new[] { "15m", "6h", "7d" })
            foreach (var (name, hash) in views)
            {
                await OpenAsync($"{hash}?range={range}");
                await AssertEveryChartDrawsEveryRow(range);
                if (name == "process")
                    await AssertProcessTitle(command, user, node, key);
                if (range == "15m" || name == "cluster")
                    await _browser.ScreenshotAsync(Path.Combine(WatchRunFixture.ScreenshotDir, $"{name}-{range}.png"), Ct);
            }
        Assert.Empty(_browser.Errors);
    }

    [Fact]
    public async Task TimeWithoutSamples_IsABreakInTheLine_NotAStraightSegment()
    {
        // The page's own chart module, in the real browser: 5 s rows with a 60 s hole (watcher stopped) after the 4th.
        await OpenAsync("/cluster?range=15m");
        var drawn = await _browser.EvalAsync("""
            import('/chart.js').then(m => {
              const ts = [0, 5, 10, 15, 75, 80, 85];
              const pts = ts.map(t => ({ t: 1000 + t, cpuAvg: 50, cpuMax: 60 }));
              const box = document.createElement('div');
              const svg = m.draw(box, { metric: 'cpu', points: pts, from: 1000, to: 1090, width: 600 });
              return { lines: svg.querySelectorAll('polyline.avg').length, bands: svg.querySelectorAll('polygon.band').length,
                       circles: svg.querySelectorAll('circle.pt').length,
                       firstLine: svg.querySelector('polyline.avg').getAttribute('points').split(' ').length };
            })
            """, Ct);
        Assert.Equal(2, drawn.GetProperty("lines").GetInt32());
        Assert.Equal(2, drawn.GetProperty("bands").GetInt32());
        Assert.Equal(7, drawn.GetProperty("circles").GetInt32()); // every row still drawn and clickable
        Assert.Equal(4, drawn.GetProperty("firstLine").GetInt32());
    }

    [Fact]
    public async Task NewRun_FirstPointsFillTheChart_NotItsRightEdge()
    {
        // A watcher started a minute ago, seen over 15 minutes (from 1000 to 1900, 2 s per point): the axis starts at
        // its first point. At least a minute (or 3 points' worth) stays shown; data over the whole range keep the range.
        await OpenAsync("/cluster?range=15m");
        var r = await _browser.EvalAsync("""
            import('/chart.js').then(m => {
              const at = ts => ts.map(t => ({ t, cpuAvg: 50, cpuMax: 60 }));
              const lastMinute = at([1840, 1845, 1850, 1855, 1860, 1865, 1870, 1875, 1880, 1885, 1890, 1895, 1900]);
              const box = document.createElement('div');
              const svg = m.draw(box, { metric: 'cpu', points: lastMinute, from: 1840, to: 1900, width: 600 });
              return { lastMinute: m.xRange(lastMinute, 1000, 1900, 2), onePoint: m.xRange(at([1895]), 1000, 1900, 2),
                       whole: m.xRange(at([1000, 1900]), 1000, 1900, 2), half: m.xRange(at([1450, 1900]), 1000, 1900, 2),
                       none: m.xRange([], 1000, 1900, 2),
                       cx: [...svg.querySelectorAll('circle.pt')].map(c => +c.getAttribute('cx')) };
            })
            """, Ct);
        long[] Range(string name) => [.. r.GetProperty(name).EnumerateArray().Select(e => e.GetInt64())];
        Assert.Equal([1840L, 1900L], Range("lastMinute"));
        Assert.Equal([1840L, 1900L], Range("onePoint"));
        Assert.Equal([1000L, 1900L], Range("whole"));
        Assert.Equal([1450L, 1900L], Range("half"));
        Assert.Equal([1000L, 1900L], Range("none"));
        // Plot area x from L = 62 to W − R = 588: the first point on its left edge, 1870 in the middle, 1900 on the right.
        var cx = r.GetProperty("cx").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal((62.0, 325.0, 588.0), (cx[0], cx[6], cx[^1]));
    }

    [Fact]
    public async Task NewRun_FillsTheChart_AtEveryRange()
    {
        // The same rule at every range: the axis starts at the first point, never shorter than max(60 s, 3 steps).
        // Each range is [0, span] in Unix seconds with the step /api/series uses for it (docs/api.md).
        await OpenAsync("/cluster?range=24h");
        var r = await _browser.EvalAsync("""
            import('/chart.js').then(m => {
              const at = ts => ts.map(t => ({ t, cpuAvg: 50, cpuMax: 60 }));
              const sixMinutes = at([86040, 86160, 86280]);
              const box = document.createElement('div');
              const svg = m.draw(box, { metric: 'cpu', points: sixMinutes, from: 86040, to: 86400, width: 600 });
              // A 2-minute-old run at 24 h has one point and so no line: its circle must show (in the page, to read its style).
              const one = document.body.appendChild(document.createElement('div'));
              const c1 = m.draw(one, { metric: 'cpu', points: at([86300]), from: 86040, to: 86400, width: 600 }).querySelector('circle.pt');
              const lonePoint = { cls: c1.getAttribute('class'), opacity: getComputedStyle(c1).fillOpacity, cx: c1.getAttribute('cx') };
              one.remove();
              return { lonePoint, lonesOfThree: svg.querySelectorAll('circle.lone').length,
                // 24 h, 120 s per point.
                day6min: m.xRange(sixMinutes, 0, 86400, 120), day2min: m.xRange(at([86300]), 0, 86400, 120),
                day40min: m.xRange(at([84000, 84120, 86280]), 0, 86400, 120), dayWhole: m.xRange(at([0, 86280]), 0, 86400, 120),
                // 1 h, 5 s per point.
                hour100s: m.xRange(at([3500, 3505, 3600]), 0, 3600, 5), hour20s: m.xRange(at([3580, 3585, 3600]), 0, 3600, 5),
                hourHalf: m.xRange(at([1800, 3600]), 0, 3600, 5),
                // 6 h (30 s), 7 d (900 s), 30 d (3600 s).
                sixHours1pt: m.xRange(at([21570]), 0, 21600, 30),
                week1pt: m.xRange(at([600000]), 0, 604800, 900), weekNew: m.xRange(at([604000]), 0, 604800, 900),
                month1pt: m.xRange(at([2591000]), 0, 2592000, 3600),
                minSpans: [2, 5, 30, 120, 900, 3600].map(m.minSpan),
                cx: [...svg.querySelectorAll('circle.pt')].map(c => c.getAttribute('cx')) };
            })
            """, Ct);
        long[] Range(string name) => [.. r.GetProperty(name).EnumerateArray().Select(e => e.GetInt64())];
        // 24 h: a 6-minute-old run fills the axis (the old "30 points" rule showed the last hour, 82800…86400).
        Assert.Equal([86040L, 86400L], Range("day6min"));
        Assert.Equal([86040L, 86400L], Range("day2min")); // 3 × 120 s = 6 min: the shortest 24 h axis
        Assert.Equal([84000L, 86400L], Range("day40min"));
        Assert.Equal([0L, 86400L], Range("dayWhole"));
        // 1 h: from the first point; a 20 s old run gets the 1 minute minimum (3 × 5 s is shorter).
        Assert.Equal([3500L, 3600L], Range("hour100s"));
        Assert.Equal([3540L, 3600L], Range("hour20s"));
        Assert.Equal([1800L, 3600L], Range("hourHalf"));
        Assert.Equal([21510L, 21600L], Range("sixHours1pt")); // 3 × 30 s
        Assert.Equal([600000L, 604800L], Range("week1pt")); // 80 min of data, over the 45 min minimum
        Assert.Equal([602100L, 604800L], Range("weekNew")); // 3 × 900 s = 45 min
        Assert.Equal([2581200L, 2592000L], Range("month1pt")); // 3 × 3600 s = 3 h
        Assert.Equal([60L, 60L, 90L, 360L, 2700L, 10800L], Range("minSpans"));
        // Drawn on [86040, 86400] in the plot area 62…588 (526 px): 86040 at the left edge, 86160 a third in, 86280 two thirds.
        Assert.Equal(["62.0", "237.3", "412.7"], r.GetProperty("cx").EnumerateArray().Select(e => e.GetString()!).ToArray());
        // The lone point: shown (opaque), at 62 + 526 × 260 / 360 = 441.9; points joined by a line stay click targets only.
        var lone = r.GetProperty("lonePoint");
        Assert.Equal(("pt lone", "1", "441.9"), (lone.GetProperty("cls").GetString(), lone.GetProperty("opacity").GetString(), lone.GetProperty("cx").GetString()));
        Assert.Equal(0, r.GetProperty("lonesOfThree").GetInt32());
    }

    [Theory]
    [InlineData("24h", 360)]
    [InlineData("1h", 60)]
    public async Task ServedRun_ChartAxisStartsAtItsFirstPoint(string range, long minSpan)
    {
        // The watch run wrote 25 s of data minutes ago: its charts start at the first point, or minSpan before the
        // answer's end when the data are younger than that; never an hour (the old 24 h rule) or the whole range.
        var node = (await Api("/api/nodes")).GetProperty("nodes")[0].GetProperty("name").GetString()!;
        var key = (await Api("/api/top?kind=process&top=1")).GetProperty("items")[0].GetProperty("key").GetString()!;
        foreach (var hash in new[] { "/cluster", $"/process/{Uri.EscapeDataString(node)}/{Uri.EscapeDataString(key)}" })
        {
            await OpenAsync($"{hash}?range={range}");
            var svgs = await _browser.EvalAsync(
                "[...document.querySelectorAll('.charts svg')].map(s => ({ from: +s.dataset.from, to: +s.dataset.to, " +
                "first: +s.querySelector('circle.pt').dataset.t, note: s.parentElement.querySelector('.note').textContent }))", Ct);
            Assert.Equal(2, svgs.GetArrayLength());
            foreach (var svg in svgs.EnumerateArray())
            {
                long from = svg.GetProperty("from").GetInt64(), to = svg.GetProperty("to").GetInt64(), first = svg.GetProperty("first").GetInt64();
                Assert.Equal(Math.Min(first, to - minSpan), from);
                Assert.InRange(to - from, minSpan, 3600 - 1); // the test runs within an hour of the watch run
                Assert.Contains("; no data before ", svg.GetProperty("note").GetString(), StringComparison.Ordinal);
            }
            await _browser.ScreenshotAsync(Path.Combine(WatchRunFixture.ScreenshotDir, $"{hash.Split('/')[1]}-{range}-axis.png"), Ct);
        }
    }

    [Fact]
    public async Task ChartNote_SaysWhatIsDrawn_OneProcessIsNotASum()
    {
        var node = (await Api("/api/nodes")).GetProperty("nodes")[0].GetProperty("name").GetString()!;
        var proc = (await Api("/api/top?kind=process&top=1")).GetProperty("items")[0];
        string E(string p) => Uri.EscapeDataString(proc.GetProperty(p).GetString()!);
        var views = new (string Hash, string[] Notes)[]
        {
            ("/cluster", ["sum of the nodes' totals from /proc/stat and meminfo"]),
            ($"/node/{Uri.EscapeDataString(node)}", ["the node's totals from /proc/stat and meminfo"]),
            // The total, then one pair per node.
            ($"/user/{E("user")}", ["sum of the user's processes on all nodes", "sum of the user's processes on this node"]),
            ($"/command/{E("command")}", ["sum of the command's processes on all nodes"]),
            ($"/process/{Uri.EscapeDataString(node)}/{E("key")}", ["this process alone"]),
        };
        foreach (var (hash, notes) in views)
        {
            await OpenAsync($"{hash}?range=15m");
            // Each grid's two notes: "samples (2 s per point, WHAT)…".
            var shown = await _browser.EvalAsync(
                "[...document.querySelectorAll('.charts')].map(g => [...g.querySelectorAll('.chart .note')].map(n => n.textContent))", Ct);
            var perGrid = shown.EnumerateArray().Select(g => g.EnumerateArray().Select(n => n.GetString()!).ToList()).ToList();
            Assert.Equal(notes.Length, perGrid.Count);
            for (var i = 0; i < notes.Length; i++)
                foreach (var note in perGrid[i])
                    Assert.Contains($"2 s per point, {notes[i]})", note, StringComparison.Ordinal);
        }
        // A user's (other) row is a sum again (the page's own function; no such row in an --all-processes run).
        var other = await Text("import('/views.js').then(v => v.drawn({ scope: 'process', node: 'n', process: '(other):alice' }))");
        Assert.Equal("sum of the user's processes not stored one by one (their (other) row)", other);
    }

    [Fact]
    public async Task ClickingAPoint_ShowsThatWindowsTopUsers()
    {
        await OpenAsync("/cluster?range=15m");
        // The middle point of the CPU chart: a 5 s row at time t, which belongs to the window containing t - 1.
        var t = (await _browser.EvalAsync(
            "(() => { const pts = document.querySelectorAll('svg[data-metric=cpu] circle.pt'); const c = pts[Math.floor(pts.length / 2)]; " +
            "c.dispatchEvent(new MouseEvent('click', { bubbles: true })); return +c.dataset.t; })()", Ct)).GetInt64();
        await _browser.WaitForAsync("document.getElementById('detail').dataset.state === 'ready' && !document.getElementById('detail').hidden", Ct);
        var shown = await _browser.EvalAsync("[...document.querySelectorAll('#detail-users tbody tr')].map(r => r.cells[0].textContent)", Ct);
        var expected = await Api($"/api/top?kind=user&from={t - 1}&to={t}");
        var users = expected.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("user").GetString()).ToList();
        Assert.NotEmpty(users);
        Assert.Equal(users, shown.EnumerateArray().Select(e => e.GetString()).ToList());
        // That window is the one holding t - 1 (windows of 3 s in this run).
        var from = expected.GetProperty("from").GetInt64();
        Assert.True(from <= t - 1 && t - 1 < expected.GetProperty("to").GetInt64(), $"window {from} does not hold {t - 1}");
        Assert.Equal(from.ToString(System.Globalization.CultureInfo.InvariantCulture), await Text("document.getElementById('detail').dataset.from"));
        await _browser.ScreenshotAsync(Path.Combine(WatchRunFixture.ScreenshotDir, "cluster-clicked-point.png"), Ct);
    }

    [Fact]
    public async Task InjectedProcessNames_AppearAsText_AndNoScriptRuns()
    {
        for (var i = 0; i < run.HostileComms.Count; i++)
        {
            var comm = run.HostileComms[i];
            Assert.StartsWith(comm, WatchRunFixture.Hostile[i], StringComparison.Ordinal);
            await OpenAsync($"/command/{Uri.EscapeDataString(comm)}?range=15m");
            Assert.Equal(comm, await Text("document.querySelector('h1 q').textContent"));
            // Its process is listed, by name, as text in a link cell.
            var cells = await _browser.EvalAsync("[...document.querySelectorAll('main tbody tr td:first-child')].map(td => td.textContent)", Ct);
            Assert.Contains(comm, cells.EnumerateArray().Select(c => c.GetString()));
            Assert.True((await _browser.EvalAsync("+document.querySelector('.charts').dataset.rows > 0", Ct)).GetBoolean(), "no series rows for the injected command");
            await AssertNothingInjected();
            await _browser.ScreenshotAsync(Path.Combine(WatchRunFixture.ScreenshotDir, $"injected-name-{i + 1}.png"), Ct);
            // Its own process view (the key is the link's target): the title names the command and its user, as text.
            var item = (await Api($"/api/top?kind=process&command={Uri.EscapeDataString(comm)}")).GetProperty("items")[0];
            var key = item.GetProperty("key").GetString()!;
            var node = (await Api("/api/nodes")).GetProperty("nodes")[0].GetProperty("name").GetString()!;
            await OpenAsync($"/process/{Uri.EscapeDataString(node)}/{Uri.EscapeDataString(key)}?range=15m");
            await AssertProcessTitle(comm, Environment.UserName, node, key);
            await AssertNothingInjected();
            await _browser.ScreenshotAsync(Path.Combine(WatchRunFixture.ScreenshotDir, $"injected-name-{i + 1}-process.png"), Ct);
        }
        Assert.Empty(_browser.Dialogs);
    }

    /// <summary>The process view's heading and the page title say which command and user the charts are of.</summary>
    private async Task AssertProcessTitle(string command, string user, string node, string key)
    {
        Assert.Equal(command, await Text("document.querySelector('h1 q.command').textContent"));
        Assert.Equal(user, await Text("document.querySelector('h1 q.user').textContent"));
        Assert.Equal(node, await Text("document.querySelector('h1 q.node').textContent"));
        Assert.Equal($"Process {command} of user {user} · pid {key.Split(':')[0]} on {node}", await Text("document.querySelector('h1').textContent"));
        Assert.Equal($"{command} ({user}) on {node} — ClusterWatch", await Text("document.title"));
        // Each name is one text node inside its link (links to the command's and the user's views).
        Assert.Equal($"#/command/{Uri.EscapeDataString(command)}", await Text("document.querySelector('h1 q.command a').getAttribute('href')"));
        Assert.Equal(1, (await _browser.EvalAsync("document.querySelector('h1 q.command a').childNodes.length", Ct)).GetInt32());
    }

    [Fact]
    public async Task UserMemoryPercent_ExplainsWhyItCanExceed100()
    {
        await OpenAsync("/cluster?range=15m");
        var header = await Text("[...document.querySelectorAll('th')].find(th => th.textContent.startsWith('mem %')).title");
        Assert.Contains("count once per process, as ps and top count them, so the sum can exceed 100 %", header, StringComparison.Ordinal);
        Assert.Equal(1, (await _browser.EvalAsync("document.querySelectorAll('main p.shared-pages').length", Ct)).GetInt32());
        // The page's own row builder: 150 % is marked and carries the explanation; 50 % is plain.
        var cells = await _browser.EvalAsync("""
            import('/views.js').then(v => v.topTables([
              { user: 'a', node: 'n', cpuPct: 1, rssBytes: 1, memPct: 150 }, { user: 'b', node: 'n', cpuPct: 1, rssBytes: 1, memPct: 50 }], [])[0]
              .map(r => ({ text: typeof r[4] === 'string' ? r[4] : r[4].textContent, title: typeof r[4] === 'string' ? '' : r[4].title })))
            """, Ct);
        Assert.Equal("150.0 % *", cells[0].GetProperty("text").GetString());
        Assert.Equal(header, cells[0].GetProperty("title").GetString());
        Assert.Equal(("50.0 %", ""), (cells[1].GetProperty("text").GetString(), cells[1].GetProperty("title").GetString()));
        // The clicked-window panel's users table has the note too.
        await _browser.EvalAsync("document.querySelector('svg[data-metric=cpu] circle.pt').dispatchEvent(new MouseEvent('click', { bubbles: true }))", Ct);
        await _browser.WaitForAsync("document.getElementById('detail').dataset.state === 'ready'", Ct);
        Assert.Equal(1, (await _browser.EvalAsync("document.querySelectorAll('#detail-users p.shared-pages').length", Ct)).GetInt32());
    }

    private async Task AssertNothingInjected()
    {
        Assert.Equal(0, (await _browser.EvalAsync("document.querySelectorAll('img, iframe, object, embed').length", Ct)).GetInt32());
        Assert.Equal(1, (await _browser.EvalAsync("document.scripts.length", Ct)).GetInt32());
        Assert.Equal(JsonValueKind.Undefined, (await _browser.EvalAsync("window.__alerted", Ct)).ValueKind);
        Assert.Empty(_browser.Dialogs);
    }
}
