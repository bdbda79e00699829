using ClusterWatch.Core.Metrics;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Watching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ClusterWatch.Web;

/// <summary>The JSON API (docs/api.md) and /metrics (docs/metrics.md).</summary>
internal static class ApiEndpoints
{
    public static void Map(WebApplication app, WebServerOptions o)
    {
        var queries = o.Store as IUsageQueries ?? throw new ArgumentException("the store does not implement the dashboard queries", nameof(o));
        app.MapGet("/api/nodes", (HttpRequest req, CancellationToken ct) => Guard(() => NodesAsync(req, o, queries, ct)));
        app.MapGet("/api/series", (HttpRequest req, CancellationToken ct) => Guard(() => SeriesAsync(req, o, queries, ct)));
        app.MapGet("/api/top", (HttpRequest req, CancellationToken ct) => Guard(() => TopAsync(req, o, queries, ct)));
        app.MapGet("/metrics", async (CancellationToken ct) => Results.Text(
            PrometheusWriter.Write(o.Live != null ? MetricsSnapshot.From(o.Live) : await StoredMetrics.LoadAsync(o.Store, queries, ct), o.TopN),
            "text/plain; version=0.0.4; charset=utf-8"));
        app.MapFallback("/api/{**rest}", () => Results.Json(new { error = "no such endpoint; see docs/api.md" }, statusCode: 404));
    }

    private static async Task<IResult> Guard(Func<Task<IResult>> body)
    {
        try
        {
            return await body();
        }
        catch (BadRequestException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: 400);
        }
    }

    private static Dictionary<string, string> Query(HttpRequest req) =>
        req.Query.ToDictionary(kv => kv.Key, kv => kv.Value.Count > 1
            ? throw new BadRequestException($"parameter '{kv.Key}' is given more than once")
            : kv.Value.ToString(), StringComparer.Ordinal);

    private static async Task<IResult> NodesAsync(HttpRequest req, WebServerOptions o, IUsageQueries queries, CancellationToken ct)
    {
        ApiParams.ParseNodes(Query(req));
        var rows = await o.Store.GetNodesAsync(ct);
        var last = await queries.LatestSamplesAsync(ct);
        var names = rows.Select(n => n.Node).Union(o.Live?.Nodes.Keys ?? [], StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var nodes = names.Select(name =>
        {
            var s = rows.FirstOrDefault(n => n.Node == name);
            NodeLive? live = null;
            o.Live?.Nodes.TryGetValue(name, out live);
            var sample = live?.LastSample;
            var status = live?.Status ?? s;
            var stored = last.GetValueOrDefault(name);
            long? lastSample = sample?.Time.ToUnixTimeSeconds() ?? stored?.Time.ToUnixTimeSeconds();
            return new
            {
                name,
                host = live?.Host ?? s?.Host ?? "",
                source = live?.Source ?? s?.Source ?? "",
                status = status?.State.ToText() ?? "unknown",
                lastSample,
                lastError = status?.LastError,
                cpuCount = sample?.CpuCount ?? s?.CpuCount ?? 0,
                memTotalBytes = sample?.MemTotalBytes ?? s?.MemTotalBytes ?? 0,
                cpuPct = ApiNumbers.Pct(sample?.CpuBusyPct ?? stored?.CpuBusyPct),
                memUsedBytes = sample?.MemUsedBytes ?? stored?.MemUsedBytes,
                processCount = sample?.ProcessCount ?? stored?.ProcessCount,
            };
        }).ToList();
        return Results.Json(new { now = o.Clock.GetUtcNow().ToUnixTimeSeconds(), live = o.Live != null, nodes });
    }

    private static async Task<IResult> SeriesAsync(HttpRequest req, WebServerOptions o, IUsageQueries queries, CancellationToken ct)
    {
        var r = ApiParams.ParseSeries(Query(req), o.Clock.GetUtcNow());
        var q = r.Query;
        IReadOnlyList<SeriesPoint> points;
        SplitSeries? split = null;
        if (r.ByNode)
        {
            // The total and every node's bucketed series (the user view's charts): two queries at once, one answer.
            var total = queries.SeriesAsync(q, ct);
            var byNode = queries.SeriesByNodeAsync(q, r.StepSeconds, ct);
            await Task.WhenAll(total, byNode);
            split = NodeSeries.Split(await total, await byNode, r.StepSeconds, r.TopNodes);
            points = split.Total;
        }
        else
            points = SeriesBuckets.Merge(await queries.SeriesAsync(q, ct), r.StepSeconds);
        var names = q.Scope == SeriesScope.Process ? await queries.ProcessNamesAsync(q, ct) : null;
        return Results.Json(new
        {
            scope = q.Scope.ToString().ToLowerInvariant(),
            node = q.Node,
            item = q.Item,
            process = names == null ? null : new { user = names.User, command = names.Command },
            resolution = q.Resolution.ToString().ToLowerInvariant(),
            // What the numbers sum: the nodes' own /proc/stat and meminfo (cluster, node) or the matching processes.
            basis = q.Scope is SeriesScope.Cluster or SeriesScope.Node ? "node" : "processes",
            stepSeconds = r.StepSeconds,
            from = q.From.ToUnixTimeSeconds(),
            to = q.To.ToUnixTimeSeconds(),
            points,
            nodeCount = split?.NodeCount,
            nodes = split?.Nodes.Select(n => new { node = n.Node, points = n.Points }),
        });
    }

    private static async Task<IResult> TopAsync(HttpRequest req, WebServerOptions o, IUsageQueries queries, CancellationToken ct)
    {
        var r = ApiParams.ParseTop(Query(req), o.Clock.GetUtcNow());
        if (r.From == null && LiveViews.HasData(o.Live))
            return Results.Json(new { kind = r.Kind.ToText(), source = "live", from = (long?)null, to = (long?)null, items = LiveViews.Top(o.Live!, r) });
        var wq = new WindowTopQuery(r.Kind, r.From ?? DateTimeOffset.UnixEpoch, r.To ?? DateTimeOffset.UnixEpoch, r.Node, r.User, r.Command, r.Top);
        var found = r.From == null ? await queries.LatestWindowTopAsync(wq, ct) : await queries.WindowTopAsync(wq, ct);
        var items = found.Select(i => ApiNumbers.Round(new TopRow(i.Node, i.Key, i.User, i.Command, i.Pid, i.CpuAvgPct, i.CpuMaxPct, ApiNumbers.Bytes(i.RssAvgBytes), i.MemAvgPct))).ToList();
        return Results.Json(new
        {
            kind = r.Kind.ToText(),
            source = r.From == null ? "latest-window" : "windows",
            from = found.Count > 0 ? found.Min(i => i.WindowStart) : r.From?.ToUnixTimeSeconds(),
            to = found.Count > 0 ? found.Max(i => i.WindowEnd) : r.To?.ToUnixTimeSeconds(),
            items,
        });
    }
}
