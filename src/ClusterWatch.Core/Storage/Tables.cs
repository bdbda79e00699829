namespace ClusterWatch.Core.Storage;

/// <summary>Column lists of the data tables, shared by every dialect (the DDL differs; the names do not).</summary>
internal static class Tables
{
    public static readonly string[] Samples =
    [
        "node_name", "seq", "ts", "interval_s", "cpu_busy_pct", "mem_used_bytes", "mem_total_bytes", "cpu_count",
        "process_count", "unattributed_cpu_pct", "flags",
    ];

    public static readonly string[] UserSamples =
    [
        "node_name", "seq", "ts", "username", "uid", "cpu_pct", "own_cpu_pct", "children_cpu_pct", "rss_bytes",
        "mem_pct", "process_count",
    ];

    public static readonly string[] ProcessSamples =
    [
        "node_name", "seq", "ts", "pid", "start_ticks", "username", "uid", "command", "state", "cpu_pct",
        "children_cpu_pct", "rss_bytes", "mem_pct",
    ];

    public static readonly string[] Windows =
    [
        "node_name", "window_start_ts", "window_end_ts", "kind", "item_key", "username", "command", "pid", "samples",
        "sample_s", "cpu_avg_pct", "cpu_max_pct", "cpu_last1_pct", "cpu_last2_pct", "cpu_last3_pct", "rss_avg_bytes",
        "rss_max_bytes", "rss_last1_bytes", "rss_last2_bytes", "rss_last3_bytes", "mem_avg_pct", "mem_max_pct",
        "mem_last1_pct", "mem_last2_pct", "mem_last3_pct",
    ];

    public static readonly string[] WindowKeys = ["node_name", "window_start_ts", "kind", "item_key"];

    public static readonly string[] History =
    [
        "node_name", "cycle_start_ts", "cycle_end_ts", "kind", "item_key", "username", "command", "pid", "samples",
        "sample_s", "cpu_avg_pct", "cpu_max_pct", "cpu_w1_pct", "cpu_w2_pct", "cpu_w3_pct", "rss_avg_bytes",
        "rss_max_bytes", "rss_w1_bytes", "rss_w2_bytes", "rss_w3_bytes", "mem_avg_pct", "mem_max_pct", "mem_w1_pct",
        "mem_w2_pct", "mem_w3_pct",
    ];

    public static readonly string[] HistoryKeys = ["node_name", "cycle_start_ts", "kind", "item_key"];

    public static readonly string[] Nodes =
    [
        "node_name", "host", "source", "status", "first_seen_ts", "last_seen_ts", "last_error", "cpu_count",
        "mem_total_bytes",
    ];
}
