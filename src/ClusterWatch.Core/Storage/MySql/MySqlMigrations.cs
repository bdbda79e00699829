namespace ClusterWatch.Core.Storage.MySql;

/// <summary>
/// MySQL/MariaDB schema, one script per version, column for column the same names as <see cref="SqliteMigrations"/>.
/// Times are BIGINT UTC epoch seconds, so Grafana's $__unixEpoch* macros give UTC whatever the session time zone
/// (case C27). Text is utf8mb4 with a binary NO PAD collation ({collate}, chosen per server): 'alice' and 'Alice',
/// 'a' and 'a ' stay distinct keys, as in SQLite. VARCHAR lengths keep every key under InnoDB's 3072-byte limit
/// (4 bytes a character); the store cuts longer values instead of failing the sample (strict mode: error 1406).
/// Indexes lead with kind/node and the time column, the order the dashboards filter in.
/// </summary>
internal static class MySqlMigrations
{
    /// <summary>Longest text per column, in characters (values are cut to fit before they are sent).</summary>
    public static readonly IReadOnlyDictionary<string, int> TextLimits = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["node_name"] = 128, ["host"] = 255, ["source"] = 32, ["status"] = 32, ["last_error"] = 2000,
        ["username"] = 128, ["command"] = 255, ["state"] = 4, ["kind"] = 16, ["item_key"] = 300, ["lease_owner"] = 255,
    };

    private const string Table = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={collate}";

    public static IReadOnlyList<string> All(string collation) => Scripts.Select(s => s.Replace("{collate}", collation, StringComparison.Ordinal)).ToList();

    private static readonly string[] Scripts =
    [
        $"""
        CREATE TABLE nodes (
          node_name VARCHAR(128) NOT NULL PRIMARY KEY, host VARCHAR(255) NOT NULL, source VARCHAR(32) NOT NULL,
          status VARCHAR(32) NOT NULL, first_seen_ts BIGINT NOT NULL, last_seen_ts BIGINT NOT NULL,
          last_error VARCHAR(2000) NULL, cpu_count INT NOT NULL, mem_total_bytes BIGINT NOT NULL) {Table};
        CREATE TABLE samples (
          node_name VARCHAR(128) NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL, interval_s DOUBLE NOT NULL,
          cpu_busy_pct DOUBLE NOT NULL, mem_used_bytes BIGINT NOT NULL, mem_total_bytes BIGINT NOT NULL,
          cpu_count INT NOT NULL, process_count INT NOT NULL, unattributed_cpu_pct DOUBLE NOT NULL,
          flags INT NOT NULL, PRIMARY KEY (node_name, seq),
          KEY ix_samples_ts (ts), KEY ix_samples_node_ts (node_name, ts)) {Table};
        CREATE TABLE user_samples (
          node_name VARCHAR(128) NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL, username VARCHAR(128) NOT NULL,
          uid INT NOT NULL, cpu_pct DOUBLE NOT NULL, own_cpu_pct DOUBLE NOT NULL, children_cpu_pct DOUBLE NOT NULL,
          rss_bytes BIGINT NOT NULL, mem_pct DOUBLE NOT NULL, process_count INT NOT NULL,
          PRIMARY KEY (node_name, seq, username),
          KEY ix_user_samples_ts (ts), KEY ix_user_samples_node_ts (node_name, ts)) {Table};
        CREATE TABLE process_samples (
          node_name VARCHAR(128) NOT NULL, seq BIGINT NOT NULL, ts BIGINT NOT NULL, pid INT NOT NULL,
          start_ticks BIGINT NOT NULL, username VARCHAR(128) NOT NULL, uid INT NOT NULL, command VARCHAR(255) NOT NULL,
          state VARCHAR(4) NOT NULL, cpu_pct DOUBLE NOT NULL, children_cpu_pct DOUBLE NOT NULL, rss_bytes BIGINT NOT NULL,
          mem_pct DOUBLE NOT NULL, PRIMARY KEY (node_name, seq, pid, username),
          KEY ix_process_samples_ts (ts), KEY ix_process_samples_node_ts (node_name, ts)) {Table};
        CREATE TABLE windows (
          node_name VARCHAR(128) NOT NULL, window_start_ts BIGINT NOT NULL, window_end_ts BIGINT NOT NULL,
          kind VARCHAR(16) NOT NULL, item_key VARCHAR(300) NOT NULL, username VARCHAR(128) NOT NULL,
          command VARCHAR(255) NOT NULL, pid INT NOT NULL, samples INT NOT NULL, sample_s INT NOT NULL,
          cpu_avg_pct DOUBLE NOT NULL, cpu_max_pct DOUBLE NOT NULL, cpu_last1_pct DOUBLE NULL, cpu_last2_pct DOUBLE NULL,
          cpu_last3_pct DOUBLE NULL, rss_avg_bytes BIGINT NOT NULL, rss_max_bytes BIGINT NOT NULL,
          rss_last1_bytes BIGINT NULL, rss_last2_bytes BIGINT NULL, rss_last3_bytes BIGINT NULL,
          mem_avg_pct DOUBLE NOT NULL, mem_max_pct DOUBLE NOT NULL, mem_last1_pct DOUBLE NULL, mem_last2_pct DOUBLE NULL,
          mem_last3_pct DOUBLE NULL, PRIMARY KEY (node_name, window_start_ts, kind, item_key),
          KEY ix_windows_start (window_start_ts), KEY ix_windows_kind_start (kind, window_start_ts)) {Table};
        CREATE TABLE history (
          node_name VARCHAR(128) NOT NULL, cycle_start_ts BIGINT NOT NULL, cycle_end_ts BIGINT NOT NULL,
          kind VARCHAR(16) NOT NULL, item_key VARCHAR(300) NOT NULL, username VARCHAR(128) NOT NULL,
          command VARCHAR(255) NOT NULL, pid INT NOT NULL, samples INT NOT NULL, sample_s INT NOT NULL,
          cpu_avg_pct DOUBLE NOT NULL, cpu_max_pct DOUBLE NOT NULL, cpu_w1_pct DOUBLE NULL, cpu_w2_pct DOUBLE NULL,
          cpu_w3_pct DOUBLE NULL, rss_avg_bytes BIGINT NOT NULL, rss_max_bytes BIGINT NOT NULL,
          rss_w1_bytes BIGINT NULL, rss_w2_bytes BIGINT NULL, rss_w3_bytes BIGINT NULL,
          mem_avg_pct DOUBLE NOT NULL, mem_max_pct DOUBLE NOT NULL, mem_w1_pct DOUBLE NULL, mem_w2_pct DOUBLE NULL,
          mem_w3_pct DOUBLE NULL, PRIMARY KEY (node_name, cycle_start_ts, kind, item_key),
          KEY ix_history_start (cycle_start_ts), KEY ix_history_kind_start (kind, cycle_start_ts)) {Table}
        """,
        // Version 2: node leases (several watchers, one database) and covering indexes for the Grafana panels,
        // which filter history by kind and time and group by user or command.
        """
        ALTER TABLE nodes ADD COLUMN lease_owner VARCHAR(255) NULL, ADD COLUMN lease_until_ts BIGINT NULL;
        CREATE INDEX ix_history_kind_start_user ON history (kind, cycle_start_ts, node_name, username, cpu_avg_pct, mem_avg_pct, rss_avg_bytes, samples);
        CREATE INDEX ix_history_kind_start_cmd ON history (kind, cycle_start_ts, node_name, command, cpu_avg_pct, mem_avg_pct, rss_avg_bytes, samples)
        """,
        // Version 3: the dashboard's series (SqlUsageStore.Series.cs), the same indexes as SQLite's version 3.
        """
        CREATE INDEX ix_windows_series ON windows (kind, item_key, window_start_ts, node_name, cpu_avg_pct, cpu_max_pct, rss_avg_bytes, rss_max_bytes);
        CREATE INDEX ix_history_series ON history (kind, item_key, cycle_start_ts, node_name, cpu_avg_pct, cpu_max_pct, rss_avg_bytes, rss_max_bytes);
        CREATE INDEX ix_user_samples_user_ts ON user_samples (username, ts);
        CREATE INDEX ix_process_samples_command_ts ON process_samples (command, ts)
        """,
        // Version 4: the hourly rollup of history, the same as SQLite's version 4. The primary key leads with kind and
        // hour, the order the dashboards filter in; InnoDB clusters on it, so a range of hours is one index range.
        $"""
        CREATE TABLE history_hourly (
          kind VARCHAR(16) NOT NULL, node_name VARCHAR(128) NOT NULL, item_key VARCHAR(300) NOT NULL,
          hour_start_ts BIGINT NOT NULL, username VARCHAR(128) NOT NULL, command VARCHAR(255) NOT NULL, pid INT NOT NULL,
          samples INT NOT NULL, cpu_sum_pct DOUBLE NOT NULL, cpu_max_pct DOUBLE NOT NULL, rss_sum_bytes DOUBLE NOT NULL,
          rss_max_bytes BIGINT NOT NULL, mem_sum_pct DOUBLE NOT NULL, mem_max_pct DOUBLE NOT NULL,
          PRIMARY KEY (kind, hour_start_ts, node_name, item_key), KEY ix_history_hourly_start (hour_start_ts)) {Table}
        """,
        // Version 5: node_samples on every hourly row, as SQLite's version 5 (filled from the hour's node rows; the
        // derived table is materialized, so it may read the table being updated). For the dashboards: the hourly
        // series read one covering index in (hour, item) order — grouped as they are read, no temporary table —, the
        // top users and the user list one in (node, item, hour) order (one index range per node and user; the list
        // with a loose index scan), and the two history indexes of version 2 also cover the top tables' maxima (and a
        // process's user and pid).
        // The slow statement (the history indexes, rebuilt in place) comes first and each ALTER is one statement, so
        // a migration interrupted by a crash can simply be run again in most cases.
        """
        ALTER TABLE history DROP INDEX ix_history_kind_start_user, DROP INDEX ix_history_kind_start_cmd,
          ADD INDEX ix_history_kind_start_user (kind, cycle_start_ts, node_name, username, cpu_avg_pct, cpu_max_pct, mem_avg_pct, rss_avg_bytes, rss_max_bytes, samples),
          ADD INDEX ix_history_kind_start_cmd (kind, cycle_start_ts, node_name, command, username, pid, cpu_avg_pct, cpu_max_pct, mem_avg_pct, rss_avg_bytes, rss_max_bytes, samples);
        ALTER TABLE history_hourly ADD COLUMN node_samples INT NOT NULL DEFAULT 0,
          ADD INDEX ix_history_hourly_series (kind, hour_start_ts, item_key, node_name, node_samples, cpu_sum_pct, rss_sum_bytes, mem_sum_pct),
          ADD INDEX ix_history_hourly_item (kind, node_name, item_key, hour_start_ts, cpu_sum_pct, cpu_max_pct, rss_sum_bytes, rss_max_bytes, mem_sum_pct);
        UPDATE history_hourly h JOIN (SELECT hour_start_ts, node_name, SUM(samples) AS samples FROM history_hourly
          WHERE kind = 'node' GROUP BY hour_start_ts, node_name) n ON n.hour_start_ts = h.hour_start_ts AND n.node_name = h.node_name
          SET h.node_samples = n.samples
        """,
    ];
}
