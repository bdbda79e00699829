using System.Data.Common;
using System.Globalization;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

/// <summary>
/// The dashboard's queries (<see cref="IUsageQueries"/>), in SQL every dialect accepts: plain comparisons on BIGINT
/// epoch columns, GROUP BY, SUM/MAX, no date functions, no LIMIT. Bucketing and merging happen in C#.
/// </summary>
public abstract partial class SqlUsageStore : IUsageQueries
{
    /// <summary>Longest window the overlap search considers: it bounds the index range scan on window_start_ts.</summary>
    private const long MaxWindowSeconds = 3600;

    public async Task<IReadOnlyList<SeriesRow>> SeriesAsync(SeriesQuery q, CancellationToken cancellationToken)
    {
        if (q.Scope == SeriesScope.Process && (q.Node == null || q.Item == null))
            throw new ArgumentException("a process series needs a node and a process key", nameof(q));
        var (sql, args) = SeriesSql(q);
        await using var c = await OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var rows = new List<SeriesRow>();
        while (await r.ReadAsync(cancellationToken))
            rows.Add(new SeriesRow(L(r, 0), D(r, 1), D(r, 2), D(r, 3), D(r, 4), I(r, 5)));
        return rows;
    }

    public async Task<IReadOnlyList<NodeSeriesRow>> SeriesByNodeAsync(SeriesQuery q, long stepSeconds, CancellationToken cancellationToken)
    {
        if (q.Scope is SeriesScope.Node or SeriesScope.Process)
            throw new ArgumentException("a node or process series is already one node's", nameof(q));
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSeconds, 1);
        var (sql, args) = SeriesByNodeSql(q, stepSeconds);
        await using var c = await OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(c, null, sql, args);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var rows = new List<NodeSeriesRow>();
        while (await r.ReadAsync(cancellationToken))
        {
            var n = I(r, 7);
            rows.Add(new NodeSeriesRow(r.GetString(0), new SeriesRow(L(r, 2), D(r, 3) / n, D(r, 4), D(r, 5) / n, D(r, 6), n)));
        }
        return rows;
    }

    public async Task<ProcessNames?> ProcessNamesAsync(SeriesQuery q, CancellationToken cancellationToken)
    {
        if (q.Scope != SeriesScope.Process || q.Node == null || q.Item == null)
            throw new ArgumentException("process names need a process series (a node and a process key)", nameof(q));
        // The series' own rows (one node, one key, the range): MAX picks one spelling should a process have exec'd.
        var s = Source(q);
        await using var c = await OpenConnectionAsync(cancellationToken);
        await using var cmd = Command(c, null, $"SELECT MAX(username), MAX(command) {s.FromWhere}", s.Args);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) && !r.IsDBNull(0) ? new ProcessNames(r.GetString(0), r.GetString(1)) : null;
    }

    /// <summary>The SQL of a series: one row per stored timestamp (time, the four sums, the row count).</summary>
    internal static (string Sql, object?[] Args) SeriesSql(SeriesQuery q)
    {
        var s = Source(q);
        return ($"SELECT {s.Time}, SUM({s.CpuAvg}), SUM({s.CpuMax}), SUM({s.MemAvg}), SUM({s.MemMax}), COUNT(*) {s.FromWhere} GROUP BY {s.Time} ORDER BY {s.Time}", s.Args);
    }

    /// <summary>
    /// The SQL of a series split by node and bucketed (node, first time, Σ avg, max, Σ mem avg, max, timestamps). Bucketing
    /// happens in SQL: a week of history is 134,400 (time, node) rows for 20 nodes, which cost far more to hand to .NET
    /// than to sum; per (node, bucket) it is 13,440. Where a (time, node) pair can hold several rows (a command's
    /// processes, two samples in one second) they are summed per timestamp first, so a bucket's maximum is the largest per-timestamp sum.
    /// </summary>
    internal static (string Sql, object?[] Args) SeriesByNodeSql(SeriesQuery q, long stepSeconds)
    {
        var s = Source(q);
        var step = "@p" + s.Args.Length.ToString(CultureInfo.InvariantCulture);
        object?[] args = [.. s.Args, stepSeconds];
        if (s.OneRowPerNode)
            return ($"SELECT node_name, {s.Time} - ({s.Time} % {step}) AS b, MIN({s.Time}), SUM({s.CpuAvg}), MAX({s.CpuMax}), SUM({s.MemAvg}), MAX({s.MemMax}), COUNT(*) " +
                    $"{s.FromWhere} GROUP BY node_name, b ORDER BY node_name, b", args);
        var inner = $"SELECT {s.Time} AS t, node_name AS nd, SUM({s.CpuAvg}) AS ca, SUM({s.CpuMax}) AS cm, SUM({s.MemAvg}) AS ma, SUM({s.MemMax}) AS mm " +
                    $"{s.FromWhere} GROUP BY {s.Time}, node_name";
        return ($"SELECT nd, t - (t % {step}) AS b, MIN(t), SUM(ca), MAX(cm), SUM(ma), MAX(mm), COUNT(*) FROM ({inner}) x GROUP BY nd, b ORDER BY nd, b", args);
    }

    /// <summary>
    /// Where a series' rows are: "FROM … WHERE …" (@p0 = from, @p1 = to, then the scope's filters in order), the time
    /// column, the value expressions, and whether a (time, node) pair holds at most one row: true for windows and history
    /// (their primary key is node, start, kind, item); not for the 5 s tables, keyed by seq, where two samples can share
    /// a second (short --sample) and a command has several processes.
    /// </summary>
    private sealed record SeriesSource(string FromWhere, string Time, string CpuAvg, string CpuMax, string MemAvg, string MemMax, object?[] Args, bool OneRowPerNode);

    private static SeriesSource Source(SeriesQuery q)
    {
        var args = new List<object?> { RowMapping.Epoch(q.From), RowMapping.Epoch(q.To) };
        string Param(object? v)
        {
            args.Add(v);
            return "@p" + (args.Count - 1).ToString(CultureInfo.InvariantCulture);
        }

        var nodeFilter = q.Node != null ? " AND node_name = " + Param(q.Node) : "";
        const string procCpu = "cpu_pct + children_cpu_pct";
        if (q.Resolution == SeriesResolution.Samples)
        {
            const string range = " WHERE ts >= @p0 AND ts < @p1";
            return q.Scope switch
            {
                SeriesScope.Cluster or SeriesScope.Node =>
                    new("FROM samples" + range + nodeFilter, "ts", "cpu_busy_pct", "cpu_busy_pct", "mem_used_bytes", "mem_used_bytes", [.. args], false),
                SeriesScope.User =>
                    new("FROM user_samples" + range + nodeFilter + " AND username = " + Param(q.Item), "ts", "cpu_pct", "cpu_pct", "rss_bytes", "rss_bytes", [.. args], false),
                SeriesScope.Command =>
                    new("FROM process_samples" + range + nodeFilter + " AND command = " + Param(q.Item), "ts", procCpu, procCpu, "rss_bytes", "rss_bytes", [.. args], false),
                _ => new("FROM process_samples" + range + nodeFilter + ProcessFilter(q, Param), "ts", procCpu, procCpu, "rss_bytes", "rss_bytes", [.. args], false),
            };
        }

        var (table, start) = q.Resolution == SeriesResolution.Windows ? ("windows", "window_start_ts") : ("history", "cycle_start_ts");
        // Cluster and node totals come from the node rows (kind 'node', item_key ''): one row per node and period.
        var (kind, itemFilter) = q.Scope switch
        {
            SeriesScope.Cluster or SeriesScope.Node => ("node", " AND item_key = ''"),
            SeriesScope.User => ("user", " AND item_key = " + Param(q.Item)),
            SeriesScope.Command => ("command", " AND item_key = " + Param(q.Item)),
            _ => ("process", " AND item_key = " + Param(q.Item)),
        };
        return new($"FROM {table} WHERE kind = '{kind}'{itemFilter} AND {start} >= @p0 AND {start} < @p1{nodeFilter}",
            start, "cpu_avg_pct", "cpu_max_pct", "rss_avg_bytes", "rss_max_bytes", [.. args], true);
    }

    private static string ProcessFilter(SeriesQuery q, Func<object?, string> param)
    {
        // The key is "pid:start" (or "(other):user" for a user's summed row), as ProcessUsage.ItemKey writes it.
        var key = q.Item!;
        if (key.StartsWith("(other):", StringComparison.Ordinal))
            return " AND pid = 0 AND username = " + param(key["(other):".Length..]);
        var parts = key.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startTicks))
            throw new ArgumentException($"'{key}' is not a process key (pid:start)", nameof(q));
        return " AND pid = " + param(pid) + " AND start_ticks = " + param(startTicks);
    }

    public async Task<IReadOnlyList<WindowTopItem>> WindowTopAsync(WindowTopQuery q, CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var from = RowMapping.Epoch(q.From);
        var to = RowMapping.Epoch(q.To);
        // Overlap: start < to AND end > from; the lower bound on start keeps the index range short.
        var rows = await WindowItemsAsync(c, q, "window_start_ts < @p1 AND window_end_ts > @p0 AND window_start_ts > @p2", [from, to, from - MaxWindowSeconds], cancellationToken);
        return Rank(rows, q);
    }

    public async Task<IReadOnlyList<WindowTopItem>> LatestWindowTopAsync(WindowTopQuery q, CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var nodes = q.Node != null ? [q.Node] : await NodeNamesAsync(c, cancellationToken);
        var all = new List<WindowTopItem>();
        foreach (var node in nodes)
        {
            // MAX on the primary key's prefix (node_name, window_start_ts): one index seek per node.
            var latest = await ScalarAsync(c, "SELECT MAX(window_start_ts) FROM windows WHERE node_name = @p0", cancellationToken, node);
            if (latest is null or DBNull)
                continue;
            var start = Convert.ToInt64(latest, CultureInfo.InvariantCulture);
            all.AddRange(await WindowItemsAsync(c, q with { Node = node }, "window_start_ts = @p0", [start], cancellationToken));
        }
        return Rank(all, q);
    }

    public async Task<IReadOnlyDictionary<string, LatestSample>> LatestSamplesAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var result = new Dictionary<string, LatestSample>(StringComparer.Ordinal);
        foreach (var node in await NodeNamesAsync(c, cancellationToken))
        {
            // MAX(seq) is one seek on the primary key (node_name, seq); seq grows with time.
            await using var cmd = Command(c, null, "SELECT ts, cpu_busy_pct, mem_used_bytes, process_count FROM samples WHERE node_name = @p0 AND seq = (SELECT MAX(seq) FROM samples WHERE node_name = @p0)", node);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await r.ReadAsync(cancellationToken))
                result[node] = new LatestSample(DateTimeOffset.FromUnixTimeSeconds(L(r, 0)), D(r, 1), L(r, 2), I(r, 3));
        }
        return result;
    }

    private static async Task<List<string>> NodeNamesAsync(DbConnection c, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await using var cmd = Command(c, null, "SELECT node_name FROM nodes ORDER BY node_name");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            names.Add(r.GetString(0));
        return names;
    }

    /// <summary>Per (node, item): sample-weighted averages over the windows matching <paramref name="timeFilter"/>.</summary>
    private static async Task<List<WindowTopItem>> WindowItemsAsync(DbConnection c, WindowTopQuery q, string timeFilter, object?[] timeArgs, CancellationToken cancellationToken)
    {
        var args = new List<object?>(timeArgs) { q.Kind.ToText() };
        var sql = "SELECT node_name, item_key, MAX(username), MAX(command), MAX(pid), SUM(cpu_avg_pct * samples), SUM(samples), MAX(cpu_max_pct), " +
                  "SUM(rss_avg_bytes * samples), SUM(mem_avg_pct * samples), MIN(window_start_ts), MAX(window_end_ts) FROM windows WHERE " +
                  timeFilter + " AND kind = @p" + (args.Count - 1).ToString(CultureInfo.InvariantCulture);
        foreach (var (column, value) in new[] { ("node_name", q.Node), ("username", q.User), ("command", q.Command) })
            if (value != null)
            {
                args.Add(value);
                sql += $" AND {column} = @p{(args.Count - 1).ToString(CultureInfo.InvariantCulture)}";
            }
        sql += " GROUP BY node_name, item_key";
        var list = new List<WindowTopItem>();
        await using var cmd = Command(c, null, sql, args.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            var samples = D(r, 6);
            if (samples <= 0)
                continue;
            list.Add(new WindowTopItem(q.Kind, r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), I(r, 4),
                D(r, 5) / samples, D(r, 7), D(r, 8) / samples, D(r, 9) / samples, L(r, 10), L(r, 11)));
        }
        return list;
    }

    /// <summary>Users and commands are merged across nodes (sums; nodes joined by ","); processes stay per node.</summary>
    internal static IReadOnlyList<WindowTopItem> Rank(IEnumerable<WindowTopItem> rows, WindowTopQuery q)
    {
        var merged = q.Kind == ItemKind.Process ? rows : rows
            .GroupBy(i => i.Key, StringComparer.Ordinal)
            .Select(g => g.Aggregate((a, b) => a with
            {
                Node = a.Node + "," + b.Node,
                CpuAvgPct = a.CpuAvgPct + b.CpuAvgPct,
                CpuMaxPct = a.CpuMaxPct + b.CpuMaxPct,
                RssAvgBytes = a.RssAvgBytes + b.RssAvgBytes,
                MemAvgPct = a.MemAvgPct + b.MemAvgPct,
                WindowStart = Math.Min(a.WindowStart, b.WindowStart),
                WindowEnd = Math.Max(a.WindowEnd, b.WindowEnd),
            }));
        return merged
            .OrderByDescending(i => i.CpuAvgPct).ThenByDescending(i => i.RssAvgBytes)
            .ThenBy(i => i.Node, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal)
            .Take(Math.Clamp(q.Top, 1, 1000))
            .ToList();
    }
}
