using System.Data.Common;
using System.Globalization;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

public abstract partial class SqlUsageStore
{
    public async Task<IReadOnlyList<NodeSample>> LoadSamplesAsync(string node, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var f = RowMapping.Epoch(from);
        var t = RowMapping.Epoch(to);
        var users = new Dictionary<long, List<UserUsage>>();
        await using (var cmd = Command(c, null, "SELECT seq, username, uid, cpu_pct, own_cpu_pct, children_cpu_pct, rss_bytes, mem_pct, process_count FROM user_samples WHERE node_name = @p0 AND ts >= @p1 AND ts < @p2", node, f, t))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                List(users, r.GetInt64(0)).Add(new UserUsage(r.GetString(1), I(r, 2), D(r, 3), D(r, 4), D(r, 5), L(r, 6), D(r, 7), I(r, 8)));
        var procs = new Dictionary<long, List<ProcessUsage>>();
        await using (var cmd = Command(c, null, "SELECT seq, pid, start_ticks, uid, username, command, state, cpu_pct, children_cpu_pct, rss_bytes, mem_pct FROM process_samples WHERE node_name = @p0 AND ts >= @p1 AND ts < @p2", node, f, t))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                List(procs, r.GetInt64(0)).Add(new ProcessUsage(I(r, 1), L(r, 2), I(r, 3), r.GetString(4), r.GetString(5),
                    r.GetString(6) is { Length: > 0 } st ? st[0] : '?', D(r, 7), D(r, 8), L(r, 9), D(r, 10)));
        var samples = new List<NodeSample>();
        await using (var cmd = Command(c, null, "SELECT seq, ts, interval_s, cpu_busy_pct, mem_used_bytes, mem_total_bytes, cpu_count, process_count, unattributed_cpu_pct, flags FROM samples WHERE node_name = @p0 AND ts >= @p1 AND ts < @p2 ORDER BY seq", node, f, t))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
            {
                var seq = r.GetInt64(0);
                samples.Add(new NodeSample(node, seq, DateTimeOffset.FromUnixTimeSeconds(L(r, 1)), D(r, 2), D(r, 3), L(r, 4), L(r, 5), I(r, 6), I(r, 7), D(r, 8),
                    (SampleFlags)I(r, 9), users.GetValueOrDefault(seq) ?? [], procs.GetValueOrDefault(seq) ?? []));
            }
        return samples;
    }

    public async Task<IReadOnlyList<TopItem>> TopAsync(TopQuery q, CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var f = RowMapping.Epoch(q.From);
        var t = RowMapping.Epoch(q.To);
        var oldest = await ScalarAsync(c, "SELECT MIN(ts) FROM samples", cancellationToken);
        var fromSamples = oldest is not null and not DBNull && Convert.ToInt64(oldest, CultureInfo.InvariantCulture) <= f + 1;
        var (coverSql, itemSql) = fromSamples ? FiveSecondSql(q) : HistorySql(q);
        var nodeFilter = q.Node == null ? "" : " AND node_name = @p2";
        var userFilter = q.User == null ? "" : " AND username = @p3";
        object?[] args = [f, t, q.Node ?? "", q.User ?? ""];

        // Per node: how many samples and seconds the range covers (the denominator of averages with absent = 0).
        var cover = new Dictionary<string, (double Samples, double Seconds)>(StringComparer.Ordinal);
        await using (var cmd = Command(c, null, string.Format(CultureInfo.InvariantCulture, coverSql, nodeFilter), args))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                cover[r.GetString(0)] = (D(r, 1), D(r, 2));

        var alive = fromSamples && q.Kind == ItemKind.Process ? await AliveSamplesAsync(c, nodeFilter, userFilter, args, cancellationToken) : null;

        var items = new Dictionary<string, Acc>(StringComparer.Ordinal);
        await using (var cmd = Command(c, null, string.Format(CultureInfo.InvariantCulture, itemSql, nodeFilter + userFilter), args))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
            {
                var node = r.GetString(0);
                var key = r.GetString(1);
                var id = q.Kind == ItemKind.Process ? node + "/" + key : key;
                if (!items.TryGetValue(id, out var a))
                    items[id] = a = new Acc(key, r.GetString(2), r.GetString(3));
                a.Nodes.Add(node);
                var (nodeSamples, nodeSeconds) = cover.GetValueOrDefault(node);
                var rows = D(r, 8);
                var samples = alive != null && !key.StartsWith(ProcessUsage.OtherCommand, StringComparison.Ordinal)
                    ? Math.Max(rows, alive.Count(node, key, L(r, 10), L(r, 11)))
                    : rows;
                // Users and commands average over all the node's samples (absent = 0); a process over the samples it was
                // alive in (its CPU 0 where its row was not kept), its memory over the rows that hold it.
                var denominator = q.Kind == ItemKind.Process ? samples : nodeSamples;
                var memDenominator = q.Kind == ItemKind.Process ? rows : nodeSamples;
                if (denominator <= 0 || memDenominator <= 0)
                    continue;
                var secondsPerSample = nodeSamples > 0 ? nodeSeconds / nodeSamples : 0;
                a.Cpu += D(r, 4) / denominator;
                a.CpuMax = Math.Max(a.CpuMax, D(r, 5));
                a.CpuSeconds += D(r, 4) / 100 * secondsPerSample;
                a.Rss += D(r, 6) / memDenominator;
                a.RssMax = Math.Max(a.RssMax, D(r, 7));
                a.Mem += D(r, 9) / memDenominator;
                a.Samples += (long)samples;
            }
        return items.Values
            .Select(a => new TopItem(q.Kind, a.Key, a.User, a.Command, string.Join(",", a.Nodes.Order(StringComparer.Ordinal)),
                a.Cpu, a.CpuMax, a.CpuSeconds, a.Rss, a.RssMax, a.Mem, a.Samples))
            .OrderByDescending(i => i.CpuSeconds).ThenByDescending(i => i.CpuAvgPct).ThenByDescending(i => i.RssAvgBytes).ThenBy(i => i.Key, StringComparer.Ordinal)
            .Take(q.Top)
            .ToList();
    }

    /// <summary>
    /// For processes from the 5 s tables, whose rows are only the samples the volume rule kept: the node's sample
    /// times in the range, and each process's alive samples from its window rows that lie wholly inside the range.
    /// </summary>
    private async Task<AliveSamples> AliveSamplesAsync(DbConnection c, string nodeFilter, string userFilter, object?[] args, CancellationToken cancellationToken)
    {
        var alive = new AliveSamples();
        await using (var cmd = Command(c, null, string.Format(CultureInfo.InvariantCulture, "SELECT node_name, ts FROM samples WHERE ts >= @p0 AND ts < @p1{0} ORDER BY node_name, ts", nodeFilter), args))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                List(alive.Times, r.GetString(0)).Add(L(r, 1));
        // A window [start, end) holds the samples start + sample_s … end: inside the range [from, to) when
        // start + sample_s >= from and end < to (the first bound only lets the index on (kind, start) limit the scan).
        const string windowsSql = "SELECT node_name, item_key, SUM(samples) FROM windows WHERE kind = 'process' AND window_start_ts >= @p0 - 3600 " +
            "AND window_start_ts + sample_s >= @p0 AND window_end_ts < @p1{0} GROUP BY node_name, item_key";
        await using (var cmd = Command(c, null, string.Format(CultureInfo.InvariantCulture, windowsSql, nodeFilter + userFilter), args))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            while (await r.ReadAsync(cancellationToken))
                alive.InWindows[r.GetString(0) + "/" + r.GetString(1)] = L(r, 2);
        return alive;
    }

    /// <summary>
    /// A process's samples alive in the range, at least: the node's samples between its first and last kept row (pid
    /// and start time are its identity, so it lived through them), or the samples its window rows count (every sample
    /// it was in the snapshot, kept or summed into "(other)"), whichever is more.
    /// </summary>
    private sealed class AliveSamples
    {
        public readonly Dictionary<string, List<long>> Times = new(StringComparer.Ordinal);
        public readonly Dictionary<string, long> InWindows = new(StringComparer.Ordinal);

        public long Count(string node, string key, long firstRow, long lastRow) =>
            Math.Max(Times.TryGetValue(node, out var times) ? SamplesBetween(times, firstRow, lastRow) : 0, InWindows.GetValueOrDefault(node + "/" + key));
    }

    /// <summary>How many of the node's sample times (sorted) lie in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    internal static int SamplesBetween(List<long> sortedTimes, long first, long last)
    {
        if (last < first)
            return 0;
        var lo = sortedTimes.BinarySearch(first);
        var hi = sortedTimes.BinarySearch(last);
        lo = lo < 0 ? ~lo : lo;
        hi = hi < 0 ? ~hi - 1 : hi;
        return Math.Max(0, hi - lo + 1);
    }

    /// <summary>
    /// SQL over the 5 s tables. Item columns: node, key, user, command, Σcpu, max cpu, Σrss, max rss, rows, Σmem (and
    /// for a process its first and last row's ts).
    /// {0} is replaced by the node/user filters.
    /// </summary>
    private (string Cover, string Items) FiveSecondSql(TopQuery q)
    {
        const string cover = "SELECT node_name, COUNT(*), SUM(interval_s) FROM samples WHERE ts >= @p0 AND ts < @p1{0} GROUP BY node_name";
        var items = q.Kind switch
        {
            ItemKind.User => "SELECT node_name, username, username, '', SUM(cpu_pct), MAX(cpu_pct), SUM(rss_bytes), MAX(rss_bytes), COUNT(*), SUM(mem_pct) FROM user_samples WHERE ts >= @p0 AND ts < @p1{0} GROUP BY node_name, username",
            ItemKind.Command => "SELECT node_name, command, '', command, SUM(cpu_pct + children_cpu_pct), MAX(cpu_pct + children_cpu_pct), SUM(rss_bytes), MAX(rss_bytes), COUNT(DISTINCT seq), SUM(mem_pct) FROM process_samples WHERE ts >= @p0 AND ts < @p1{0} GROUP BY node_name, command",
            _ => "SELECT node_name, " + ProcessKeySql + ", MAX(username), MAX(command), SUM(cpu_pct + children_cpu_pct), MAX(cpu_pct + children_cpu_pct), SUM(rss_bytes), MAX(rss_bytes), COUNT(*), SUM(mem_pct), MIN(ts), MAX(ts) FROM process_samples WHERE ts >= @p0 AND ts < @p1{0} GROUP BY node_name, pid, start_ticks, username",
        };
        return (cover, items);
    }

    /// <summary>The same from history, weighting each cycle's average by its sample count.</summary>
    private static (string Cover, string Items) HistorySql(TopQuery q)
    {
        const string cover = "SELECT node_name, SUM(m), SUM(m * s) FROM (SELECT node_name, cycle_start_ts, MAX(samples) AS m, MAX(sample_s) AS s FROM history WHERE kind = 'user' AND cycle_start_ts >= @p0 AND cycle_start_ts < @p1{0} GROUP BY node_name, cycle_start_ts) x GROUP BY node_name";
        var kind = q.Kind.ToText();
        var items = "SELECT node_name, item_key, MAX(username), MAX(command), SUM(cpu_avg_pct * samples), MAX(cpu_max_pct), SUM(rss_avg_bytes * samples), MAX(rss_max_bytes), SUM(samples), SUM(mem_avg_pct * samples) FROM history WHERE kind = '" + kind + "' AND cycle_start_ts >= @p0 AND cycle_start_ts < @p1{0} GROUP BY node_name, item_key";
        return (cover, items);
    }

    /// <summary>A process's item key in SQL, the same text as <see cref="ProcessUsage.ItemKey"/>.</summary>
    protected virtual string ProcessKeySql => "CASE WHEN pid = 0 THEN '(other):' || username ELSE pid || ':' || start_ticks END";

    private static List<T> List<TKey, T>(Dictionary<TKey, List<T>> map, TKey key) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
            map[key] = list = new List<T>();
        return list;
    }

    private static double D(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    private static long L(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    private static int I(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    private sealed class Acc(string key, string user, string command)
    {
        public readonly string Key = key;
        public readonly string User = user;
        public readonly string Command = command;
        public readonly HashSet<string> Nodes = new(StringComparer.Ordinal);
        public double Cpu;
        public double CpuMax;
        public double CpuSeconds;
        public double Rss;
        public double RssMax;
        public double Mem;
        public long Samples;
    }
}
