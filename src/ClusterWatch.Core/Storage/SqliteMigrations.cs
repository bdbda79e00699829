namespace ClusterWatch.Core.Storage;

/// <summary>SQLite schema, one script per version. Times are UTC epoch seconds (INTEGER); see docs/schema.md.</summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<string> All =
    [
        """
        CREATE TABLE nodes (
          node_name TEXT NOT NULL PRIMARY KEY, host TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL,
          first_seen_ts INTEGER NOT NULL, last_seen_ts INTEGER NOT NULL, last_error TEXT NULL,
          cpu_count INTEGER NOT NULL, mem_total_bytes INTEGER NOT NULL);
        CREATE TABLE samples (
          node_name TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, interval_s REAL NOT NULL,
          cpu_busy_pct REAL NOT NULL, mem_used_bytes INTEGER NOT NULL, mem_total_bytes INTEGER NOT NULL,
          cpu_count INTEGER NOT NULL, process_count INTEGER NOT NULL, unattributed_cpu_pct REAL NOT NULL,
          flags INTEGER NOT NULL, PRIMARY KEY (node_name, seq));
        CREATE INDEX ix_samples_ts ON samples (ts);
        CREATE INDEX ix_samples_node_ts ON samples (node_name, ts);
        CREATE TABLE user_samples (
          node_name TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, username TEXT NOT NULL,
          uid INTEGER NOT NULL, cpu_pct REAL NOT NULL, own_cpu_pct REAL NOT NULL, children_cpu_pct REAL NOT NULL,
          rss_bytes INTEGER NOT NULL, mem_pct REAL NOT NULL, process_count INTEGER NOT NULL,
          PRIMARY KEY (node_name, seq, username));
        CREATE INDEX ix_user_samples_ts ON user_samples (ts);
        CREATE INDEX ix_user_samples_node_ts ON user_samples (node_name, ts);
        CREATE TABLE process_samples (
          node_name TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, pid INTEGER NOT NULL,
          start_ticks INTEGER NOT NULL, username TEXT NOT NULL, uid INTEGER NOT NULL, command TEXT NOT NULL,
          state TEXT NOT NULL, cpu_pct REAL NOT NULL, children_cpu_pct REAL NOT NULL, rss_bytes INTEGER NOT NULL,
          mem_pct REAL NOT NULL, PRIMARY KEY (node_name, seq, pid, username));
        CREATE INDEX ix_process_samples_ts ON process_samples (ts);
        CREATE INDEX ix_process_samples_node_ts ON process_samples (node_name, ts);
        CREATE TABLE windows (
          node_name TEXT NOT NULL, window_start_ts INTEGER NOT NULL, window_end_ts INTEGER NOT NULL,
          kind TEXT NOT NULL, item_key TEXT NOT NULL, username TEXT NOT NULL, command TEXT NOT NULL,
          pid INTEGER NOT NULL, samples INTEGER NOT NULL, sample_s INTEGER NOT NULL,
          cpu_avg_pct REAL NOT NULL, cpu_max_pct REAL NOT NULL, cpu_last1_pct REAL NULL, cpu_last2_pct REAL NULL,
          cpu_last3_pct REAL NULL, rss_avg_bytes INTEGER NOT NULL, rss_max_bytes INTEGER NOT NULL,
          rss_last1_bytes INTEGER NULL, rss_last2_bytes INTEGER NULL, rss_last3_bytes INTEGER NULL,
          mem_avg_pct REAL NOT NULL, mem_max_pct REAL NOT NULL, mem_last1_pct REAL NULL, mem_last2_pct REAL NULL,
          mem_last3_pct REAL NULL, PRIMARY KEY (node_name, window_start_ts, kind, item_key));
        CREATE INDEX ix_windows_start ON windows (window_start_ts);
        CREATE INDEX ix_windows_kind_start ON windows (kind, window_start_ts);
        CREATE TABLE history (
          node_name TEXT NOT NULL, cycle_start_ts INTEGER NOT NULL, cycle_end_ts INTEGER NOT NULL,
          kind TEXT NOT NULL, item_key TEXT NOT NULL, username TEXT NOT NULL, command TEXT NOT NULL,
          pid INTEGER NOT NULL, samples INTEGER NOT NULL, sample_s INTEGER NOT NULL,
          cpu_avg_pct REAL NOT NULL, cpu_max_pct REAL NOT NULL, cpu_w1_pct REAL NULL, cpu_w2_pct REAL NULL,
          cpu_w3_pct REAL NULL, rss_avg_bytes INTEGER NOT NULL, rss_max_bytes INTEGER NOT NULL,
          rss_w1_bytes INTEGER NULL, rss_w2_bytes INTEGER NULL, rss_w3_bytes INTEGER NULL,
          mem_avg_pct REAL NOT NULL, mem_max_pct REAL NOT NULL, mem_w1_pct REAL NULL, mem_w2_pct REAL NULL,
          mem_w3_pct REAL NULL, PRIMARY KEY (node_name, cycle_start_ts, kind, item_key));
        CREATE INDEX ix_history_start ON history (cycle_start_ts);
        CREATE INDEX ix_history_kind_start ON history (kind, cycle_start_ts)
        """,
        // Version 2: node leases (several watchers, one database; see SqlUsageStore.Leases.cs).
        """
        ALTER TABLE nodes ADD COLUMN lease_owner TEXT NULL;
        ALTER TABLE nodes ADD COLUMN lease_until_ts INTEGER NULL
        """,
        // Version 3: the dashboard's series — one item (or the node totals, kind 'node') over time without scanning every
        // user's rows; the windows/history indexes cover the series columns so SQLite never reads the table.
        """
        CREATE INDEX ix_windows_series ON windows (kind, item_key, window_start_ts, node_name, cpu_avg_pct, cpu_max_pct, rss_avg_bytes, rss_max_bytes);
        CREATE INDEX ix_history_series ON history (kind, item_key, cycle_start_ts, node_name, cpu_avg_pct, cpu_max_pct, rss_avg_bytes, rss_max_bytes);
        CREATE INDEX ix_user_samples_user_ts ON user_samples (username, ts);
        CREATE INDEX ix_process_samples_command_ts ON process_samples (command, ts)
        """,
        // Version 4: the hourly rollup of history (docs/schema.md), kept by the store from history itself, so long
        // ranges read one row per item and hour instead of 40 (Grafana, MySQL); the same table in both dialects.
        """
        CREATE TABLE history_hourly (
          kind TEXT NOT NULL, node_name TEXT NOT NULL, item_key TEXT NOT NULL, hour_start_ts INTEGER NOT NULL,
          username TEXT NOT NULL, command TEXT NOT NULL, pid INTEGER NOT NULL, samples INTEGER NOT NULL,
          cpu_sum_pct REAL NOT NULL, cpu_max_pct REAL NOT NULL, rss_sum_bytes REAL NOT NULL, rss_max_bytes INTEGER NOT NULL,
          mem_sum_pct REAL NOT NULL, mem_max_pct REAL NOT NULL, PRIMARY KEY (kind, hour_start_ts, node_name, item_key));
        CREATE INDEX ix_history_hourly_start ON history_hourly (hour_start_ts)
        """,
        // Version 5: every hourly row carries its node's samples in the hour (Hourly.cs), filled here for the rows
        // already there from the hour's node rows (0 when the hour has none, as the store writes it).
        """
        ALTER TABLE history_hourly ADD COLUMN node_samples INTEGER NOT NULL DEFAULT 0;
        UPDATE history_hourly SET node_samples = COALESCE((SELECT SUM(n.samples) FROM history_hourly n
          WHERE n.kind = 'node' AND n.hour_start_ts = history_hourly.hour_start_ts AND n.node_name = history_hourly.node_name), 0)
        """,
    ];
}
