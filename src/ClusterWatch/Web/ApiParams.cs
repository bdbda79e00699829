using System.Globalization;
using ClusterWatch.Configuration;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Web;

/// <summary>A bad API parameter: answered with 400 and this message.</summary>
public sealed class BadRequestException(string message) : Exception(message);

/// <summary>
/// A parsed /api/series request: what to sum, over which range, from which table, bucketed to <see cref="StepSeconds"/>;
/// with <see cref="ByNode"/> also split by node, keeping the <see cref="TopNodes"/> nodes with the most CPU.
/// </summary>
public sealed record SeriesRequest(SeriesQuery Query, long StepSeconds, bool ByNode = false, int TopNodes = ApiParams.DefaultTopNodes);

/// <summary>A parsed /api/top request; From/To null = now.</summary>
public sealed record TopRequest(ItemKind Kind, DateTimeOffset? From, DateTimeOffset? To, string? Node, string? User, string? Command, int Top);

/// <summary>
/// Parses and checks the API's query parameters (documented in docs/api.md). Pure: the query as a dictionary, the clock
/// as a value. Every problem throws <see cref="BadRequestException"/> naming the parameter and the fix.
/// </summary>
public static class ApiParams
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(30);
    public static readonly TimeSpan MinRange = TimeSpan.FromMinutes(1);

    /// <summary>At most this many points per series: a chart is ~1000 px wide.</summary>
    public const int MaxPoints = 720;

    public const int MaxNameLength = 256;

    /// <summary>by=node: how many nodes get their own series unless top= says otherwise (the user view draws 8).</summary>
    public const int DefaultTopNodes = 8;

    public const int MaxTopNodes = 100;

    /// <summary>Up to this range 5 s rows are used, up to <see cref="WindowsUpTo"/> windows, beyond that history.</summary>
    public static readonly TimeSpan SamplesUpTo = TimeSpan.FromHours(1);

    public static readonly TimeSpan WindowsUpTo = TimeSpan.FromHours(24);

    private static readonly long[] NiceSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

    private static readonly string[] SeriesKeys = ["scope", "node", "user", "command", "process", "range", "from", "to", "resolution", "by", "top", "token"];
    private static readonly string[] TopKeys = ["kind", "node", "user", "command", "from", "to", "top", "token"];
    private static readonly string[] NodesKeys = ["token"];

    public static SeriesRequest ParseSeries(IReadOnlyDictionary<string, string> q, DateTimeOffset now)
    {
        CheckKeys(q, SeriesKeys);
        var scope = Get(q, "scope") switch
        {
            "cluster" => SeriesScope.Cluster,
            "node" => SeriesScope.Node,
            "user" => SeriesScope.User,
            "command" => SeriesScope.Command,
            "process" => SeriesScope.Process,
            null => throw new BadRequestException("scope is required: cluster, node, user, command or process"),
            var s => throw new BadRequestException($"scope '{s}' is not cluster, node, user, command or process"),
        };
        var node = Name(q, "node");
        var item = scope switch
        {
            SeriesScope.User => Name(q, "user") ?? throw new BadRequestException("scope=user needs user=NAME"),
            SeriesScope.Command => Name(q, "command") ?? throw new BadRequestException("scope=command needs command=NAME"),
            SeriesScope.Process => Name(q, "process") ?? throw new BadRequestException("scope=process needs process=PID:START (and node=NAME)"),
            _ => null,
        };
        if (scope is SeriesScope.Node or SeriesScope.Process && node == null)
            throw new BadRequestException($"scope={Get(q, "scope")} needs node=NAME");
        if (scope == SeriesScope.Process && !IsProcessKey(item!))
            throw new BadRequestException($"process '{item}' is not a process key: PID:START (as /api/top returns it) or (other):USER");
        var (from, to) = Range(q, now, MinRange);
        var span = to - from;
        var resolution = Get(q, "resolution") switch
        {
            null or "auto" => span <= SamplesUpTo ? SeriesResolution.Samples : span <= WindowsUpTo ? SeriesResolution.Windows : SeriesResolution.History,
            "samples" => SeriesResolution.Samples,
            "windows" => SeriesResolution.Windows,
            "history" => SeriesResolution.History,
            var r => throw new BadRequestException($"resolution '{r}' is not auto, samples, windows or history"),
        };
        var (byNode, top) = SplitByNode(q, scope, node);
        return new SeriesRequest(new SeriesQuery(scope, resolution, from, to, node, item), Step(span), byNode, top);
    }

    /// <summary>by=node (cluster, user and command scopes, without node=) and its top=1…100.</summary>
    private static (bool ByNode, int Top) SplitByNode(IReadOnlyDictionary<string, string> q, SeriesScope scope, string? node)
    {
        var by = Get(q, "by");
        var topText = Get(q, "top");
        if (by == null)
            return topText == null ? (false, DefaultTopNodes) : throw new BadRequestException("top is only accepted with by=node");
        if (by != "node")
            throw new BadRequestException($"by '{by}' is not node (the only split)");
        if (scope is not (SeriesScope.Cluster or SeriesScope.User or SeriesScope.Command) || node != null)
            throw new BadRequestException("by=node splits a cluster, user or command series over all nodes: drop node= (and use scope cluster, user or command)");
        var top = DefaultTopNodes;
        if (topText != null && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxTopNodes))
            throw new BadRequestException($"top '{topText}' is not a whole number from 1 to {MaxTopNodes}");
        return (true, top);
    }

    public static TopRequest ParseTop(IReadOnlyDictionary<string, string> q, DateTimeOffset now)
    {
        CheckKeys(q, TopKeys);
        ItemKind kind;
        try
        {
            kind = ItemKinds.Parse(Get(q, "kind") ?? "user");
        }
        catch (FormatException)
        {
            throw new BadRequestException($"kind '{Get(q, "kind")}' is not user, process or command");
        }
        var top = 10;
        if (Get(q, "top") is { } t && (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > 1000))
            throw new BadRequestException($"top '{t}' is not a whole number from 1 to 1000");
        DateTimeOffset? from = null, to = null;
        if (Get(q, "from") != null || Get(q, "to") != null)
        {
            if (Get(q, "from") == null || Get(q, "to") == null)
                throw new BadRequestException("give both from and to (Unix seconds), or neither for now");
            (from, to) = Range(q, now, TimeSpan.FromSeconds(1)); // a clicked point: one window
        }
        return new TopRequest(kind, from, to, Name(q, "node"), Name(q, "user"), Name(q, "command"), top);
    }

    /// <summary>The bucket width: the smallest "nice" step that keeps a range under <see cref="MaxPoints"/> points.</summary>
    public static long Step(TimeSpan span)
    {
        var min = (long)Math.Ceiling(span.TotalSeconds / MaxPoints);
        return NiceSteps.FirstOrDefault(s => s >= min, 86400);
    }

    /// <summary>range=15m|1h|6h|24h|7d|30d (any duration from 1m to 30d) ending now, or from=/to= Unix seconds.</summary>
    private static (DateTimeOffset From, DateTimeOffset To) Range(IReadOnlyDictionary<string, string> q, DateTimeOffset now, TimeSpan minimum)
    {
        var range = Get(q, "range");
        var fromText = Get(q, "from");
        if (range != null && fromText != null)
            throw new BadRequestException("give either range or from/to, not both");
        DateTimeOffset from, to;
        if (fromText != null)
        {
            from = Epoch(fromText, "from");
            to = Get(q, "to") is { } tt ? Epoch(tt, "to") : now;
        }
        else
        {
            if (Get(q, "to") != null)
                throw new BadRequestException("to needs from");
            range ??= "1h";
            if (!Durations.TryParse(range, out var span))
                throw new BadRequestException($"range '{range}' is not a duration like 15m, 1h, 24h or 7d");
            to = now;
            from = now - span;
        }
        if (to <= from)
            throw new BadRequestException("the range is empty: to must be after from");
        if (to - from > MaxRange)
            throw new BadRequestException($"the range is longer than the limit of {MaxRange.TotalDays:0} days");
        if (to - from < minimum)
            throw new BadRequestException($"the range is shorter than the minimum of {(minimum >= MinRange ? "1 minute" : "1 second")}");
        return (from, to);
    }

    private static DateTimeOffset Epoch(string text, string name)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s > 253402300799)
            throw new BadRequestException($"{name} '{text}' is not a time in Unix seconds (UTC), e.g. 1796292000");
        return DateTimeOffset.FromUnixTimeSeconds(s);
    }

    private static bool IsProcessKey(string key)
    {
        if (key.StartsWith("(other):", StringComparison.Ordinal))
            return key.Length > "(other):".Length;
        var parts = key.Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    /// <summary>/api/nodes takes no parameters (but the token): anything else is refused like a typo elsewhere.</summary>
    public static void ParseNodes(IReadOnlyDictionary<string, string> q) => CheckKeys(q, NodesKeys);

    private static void CheckKeys(IReadOnlyDictionary<string, string> q, string[] allowed)
    {
        foreach (var key in q.Keys)
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                var accepted = allowed.Where(a => a != "token").ToList();
                throw new BadRequestException($"unknown parameter '{key}'; this endpoint {(accepted.Count == 0 ? "takes no parameters" : $"accepts {string.Join(", ", accepted)}")}");
            }
    }

    private static string? Get(IReadOnlyDictionary<string, string> q, string key) =>
        q.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    private static string? Name(IReadOnlyDictionary<string, string> q, string key)
    {
        var v = Get(q, key);
        if (v != null && v.Length > MaxNameLength)
            throw new BadRequestException($"{key} is longer than {MaxNameLength} characters");
        return v;
    }
}
