namespace ClusterWatch.Core.Storage;

/// <summary>
/// The hourly rollup of history (table history_hourly, docs/schema.md). Whenever cycles of a node are written, that
/// node's hour is recomputed from history with one INSERT … SELECT … GROUP BY that replaces the hour's rows (upsert):
/// a rewritten cycle (a restart resuming an open cycle, a re-sent spool entry) is never counted twice. A cycle belongs
/// to the hour its start falls in. Sums are weighted by samples (Σ avg × samples), so any range of hours averages
/// exactly as history does: Σ sums / Σ samples. Every row also carries its node's samples in the hour (node_samples,
/// from the hour's `node` rows), so a series of hour buckets divides by it without joining the node rows (Grafana).
/// </summary>
internal static class Hourly
{
    public const long Seconds = 3600;

    public static readonly string[] Keys = ["kind", "hour_start_ts", "node_name", "item_key"];

    public static readonly string[] Values =
        ["username", "command", "pid", "samples", "cpu_sum_pct", "cpu_max_pct", "rss_sum_bytes", "rss_max_bytes", "mem_sum_pct", "mem_max_pct", "node_samples"];

    public static long HourStart(DateTimeOffset cycleStart)
    {
        var t = cycleStart.ToUnixTimeSeconds();
        return t - (((t % Seconds) + Seconds) % Seconds);
    }

    /// <summary>@p0 node, @p1 hour start, @p2 hour end; <paramref name="upsert"/> is the dialect's clause on <see cref="Keys"/>.</summary>
    public static string RecomputeSql(string upsert) =>
        "INSERT INTO history_hourly (kind, hour_start_ts, node_name, item_key, " + string.Join(", ", Values) + ") " +
        "SELECT kind, @p1, node_name, item_key, MAX(username), MAX(command), MAX(pid), SUM(samples), SUM(cpu_avg_pct * samples), MAX(cpu_max_pct), " +
        "SUM(rss_avg_bytes * samples), MAX(rss_max_bytes), SUM(mem_avg_pct * samples), MAX(mem_max_pct), " +
        "COALESCE((SELECT SUM(n.samples) FROM history n WHERE n.node_name = @p0 AND n.kind = 'node' AND n.cycle_start_ts >= @p1 AND n.cycle_start_ts < @p2), 0) " +
        "FROM history WHERE node_name = @p0 AND cycle_start_ts >= @p1 AND cycle_start_ts < @p2 GROUP BY kind, node_name, item_key " + upsert;
}
