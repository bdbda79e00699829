using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.IntegrationTests.Grafana;
using MySqlConnector;

namespace ClusterWatch.Benchmarks.MySql;

/// <summary>
/// Every query of the shipped Grafana dashboards on 7 days of history for 20 nodes × 50 users (plus 10 commands and
/// 10 processes per node), at the dashboards' default range (24 h), 6 h, 1 h and 7 d, with Grafana's interval for
/// a ~1000-pixel panel (never below the data source's 90 s). Prints the median of 5 runs and the EXPLAIN plans.
/// Usage: dotnet run -c Release --project bench/ClusterWatch.Benchmarks -- mysql-dashboards [explain-file]
/// </summary>
internal static class MySqlDashboardBench
{
    private const int Nodes = 20, Users = 50, Items = 10, Cycles = 7 * 86400 / 90;

    public static async Task<int> RunAsync(string[] args)
    {
        var cs = Environment.GetEnvironmentVariable("CW_TEST_MYSQL") ?? throw new InvalidOperationException("CW_TEST_MYSQL is not set");
        var password = Environment.GetEnvironmentVariable("CW_TEST_MYSQL_PASSWORD") ?? "";
        var dbName = "cwtest_dash7d";
        var db = new MySqlConnectionStringBuilder(cs) { Database = dbName, Password = password, DefaultCommandTimeout = 600 }.ConnectionString;
        await using (var admin = new MySqlConnection(new MySqlConnectionStringBuilder(cs) { Password = password }.ConnectionString))
        {
            await admin.OpenAsync();
            await Exec(admin, $"CREATE DATABASE IF NOT EXISTS {dbName} CHARACTER SET utf8mb4");
        }
        await using (var store = new MySqlUsageStore(new MySqlConnectionStringBuilder(cs) { Database = dbName }.ConnectionString, password))
            await store.MigrateAsync(CancellationToken.None);
        await using var c = new MySqlConnection(db);
        await c.OpenAsync();
        await Exec(c, "SET time_zone = '+00:00'");
        var t0 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var end = DateTimeOffset.FromUnixTimeSeconds(t0 + Cycles * 90L);
        if (Convert.ToInt64(await Scalar(c, "SELECT COUNT(*) FROM nodes"), CultureInfo.InvariantCulture) < Nodes)
            await GenerateAsync(c, t0);
        if (Convert.ToInt64(await Scalar(c, "SELECT COUNT(*) FROM history_hourly"), CultureInfo.InvariantCulture) == 0)
            await FillHourlyAsync(c, t0);
        Console.WriteLine($"history rows: {await Scalar(c, "SELECT COUNT(*) FROM history")}");
        var explain = new StringBuilder();
        foreach (var hours in new[] { 1, 6, 24, 168 })
        {
            var from = end.AddHours(-hours);
            // Grafana: range / max data points, rounded, never below jsonData.timeInterval (90 s).
            var interval = TimeSpan.FromSeconds(Math.Max(90, hours * 3600 / 1000.0));
            foreach (var file in Directory.GetFiles(Path.Combine(Root(), "deploy", "grafana", "dashboards"), "*.json").Order(StringComparer.Ordinal))
            {
                var vars = new Dictionary<string, IReadOnlyList<string>>();
                var d = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
                foreach (var v in d.GetProperty("templating").GetProperty("list").EnumerateArray())
                {
                    var sql = GrafanaMacros.Expand(v.GetProperty("query").GetString()!, new(from, end, interval, vars));
                    var (ms, values) = await TimeAsync(c, sql);
                    vars[v.GetProperty("name").GetString()!] = values;
                    Report(explain, hours, file, "variable " + v.GetProperty("name").GetString(), sql, ms, values.Count, c);
                }
                foreach (var p in d.GetProperty("panels").EnumerateArray())
                {
                    var sql = GrafanaMacros.Expand(p.GetProperty("targets")[0].GetProperty("rawSql").GetString()!, new(from, end, interval, vars));
                    var (ms, rows) = await TimeAsync(c, sql);
                    Report(explain, hours, file, p.GetProperty("title").GetString()!, sql, ms, rows.Count, c);
                    if (hours is 1 or 168)
                        explain.Append(await ExplainAsync(c, $"{p.GetProperty("title").GetString()} ({hours} h)", sql));
                }
            }
        }
        if (args.Length > 0)
            await File.WriteAllTextAsync(args[0], explain.ToString());
        return 0;
    }

    private static void Report(StringBuilder _, int hours, string file, string what, string sql, double ms, int rows, MySqlConnection c) =>
        Console.WriteLine($"{hours,4} h  {Path.GetFileNameWithoutExtension(file),-30} {what,-48} {ms,8:0.0} ms  {rows,6} rows");

    private static async Task<(double Ms, List<string> FirstColumn)> TimeAsync(MySqlConnection c, string sql)
    {
        var times = new List<double>();
        List<string> first = [];
        for (var i = 0; i < 5; i++)
        {
            first = [];
            var sw = Stopwatch.StartNew();
            await using var cmd = new MySqlCommand(sql, c);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
                first.Add(Convert.ToString(r.GetValue(0), CultureInfo.InvariantCulture)!);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return (times.Order().ElementAt(2), first);
    }

    private static async Task<string> ExplainAsync(MySqlConnection c, string title, string sql)
    {
        var sb = new StringBuilder($"\n{title}:\n\n| id | select_type | table | type | key | rows | Extra |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        await using var cmd = new MySqlCommand("EXPLAIN " + sql, c);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            sb.Append(CultureInfo.InvariantCulture, $"| {r["id"]} | {r["select_type"]} | {r["table"]} | {r["type"]} | {r["key"]} | {r["rows"]} | {r["Extra"]} |\n");
        return sb.ToString();
    }

    /// <summary>
    /// History rows made in SQL (sequence engine, multi-row INSERT … SELECT), one node per statement, in primary-key
    /// order, with the secondary indexes dropped during the load and rebuilt once at the end (a sorted bulk build
    /// instead of 9 M random index inserts); then the node rows and history_hourly, the latter with the same GROUP BY
    /// the store runs per hour (<see cref="ClusterWatch.Core.Storage.Hourly"/>), here for all hours at once.
    /// </summary>
    private static async Task GenerateAsync(MySqlConnection c, long t0)
    {
        var sw = Stopwatch.StartNew();
        var indexes = await SecondaryIndexesAsync(c, "history");
        if (indexes.Count > 0)
            await Exec(c, "ALTER TABLE history " + string.Join(", ", indexes.Select(i => $"DROP INDEX {i.Name}")));
        const string cols = "node_name, cycle_start_ts, cycle_end_ts, kind, item_key, username, command, pid, samples, sample_s, cpu_avg_pct, cpu_max_pct, cpu_w1_pct, cpu_w2_pct, cpu_w3_pct, rss_avg_bytes, rss_max_bytes, rss_w1_bytes, rss_w2_bytes, rss_w3_bytes, mem_avg_pct, mem_max_pct, mem_w1_pct, mem_w2_pct, mem_w3_pct";
        const string values = "(i.seq * 37 + c.seq * 11) % 400 / 4, (i.seq * 37 + c.seq * 11) % 400 / 2, 1, 2, 3, 1000000 * (i.seq + c.seq % 7), 2000000 * (i.seq + c.seq % 7), 1, 2, 3, (i.seq % 9) / 10, (i.seq % 9) / 5, 1, 2, 3";
        for (var n = 1; n <= Nodes; n++)
        {
            var node = $"node{n:00}";
            await Exec(c, $"INSERT INTO nodes (node_name, host, source, status, first_seen_ts, last_seen_ts, last_error, cpu_count, mem_total_bytes) VALUES ('{node}', '{node}', 'proc', 'up', {t0}, {t0 + Cycles * 90L}, NULL, 64, 274877906944)");
            await Exec(c, "START TRANSACTION");
            await Exec(c, $"INSERT INTO history ({cols}) SELECT '{node}', {t0} + c.seq * 90, {t0} + c.seq * 90 + 90, 'node', '', '', '', 0, 18, 5, {values} FROM seq_0_to_{Cycles - 1} c JOIN seq_1_to_1 i ORDER BY c.seq");
            await Exec(c, $"INSERT INTO history ({cols}) SELECT '{node}', {t0} + c.seq * 90, {t0} + c.seq * 90 + 90, 'user', CONCAT('user', LPAD(i.seq, 2, '0')), CONCAT('user', LPAD(i.seq, 2, '0')), '', 0, 18, 5, {values} FROM seq_0_to_{Cycles - 1} c JOIN seq_1_to_{Users} i ORDER BY c.seq, i.seq");
            await Exec(c, $"INSERT INTO history ({cols}) SELECT '{node}', {t0} + c.seq * 90, {t0} + c.seq * 90 + 90, 'command', CONCAT('cmd', i.seq), '', CONCAT('cmd', i.seq), 0, 18, 5, {values} FROM seq_0_to_{Cycles - 1} c JOIN seq_1_to_{Items} i ORDER BY c.seq, i.seq");
            await Exec(c, $"INSERT INTO history ({cols}) SELECT '{node}', {t0} + c.seq * 90, {t0} + c.seq * 90 + 90, 'process', CONCAT(1000 + i.seq, ':', 5000 + i.seq), CONCAT('user', LPAD(i.seq, 2, '0')), CONCAT('cmd', i.seq), 1000 + i.seq, 18, 5, {values} FROM seq_0_to_{Cycles - 1} c JOIN seq_1_to_{Items} i ORDER BY c.seq, i.seq");
            await Exec(c, "COMMIT");
            Console.WriteLine($"  generated {node} ({sw.Elapsed.TotalSeconds:0} s)");
        }
        if (indexes.Count > 0)
            await Exec(c, "ALTER TABLE history " + string.Join(", ", indexes.Select(i => $"ADD INDEX {i.Name} ({i.Columns})")));
        Console.WriteLine($"  indexes rebuilt ({sw.Elapsed.TotalSeconds:0} s)");
        await Exec(c, "ANALYZE TABLE history, history_hourly");
    }

    /// <summary>history_hourly with the store's own statement (<see cref="ClusterWatch.Core.Storage.Hourly"/>), here one
    /// node and day at a time (the store does one node and hour per cycle written): small GROUP BYs, no huge temp table.</summary>
    private static async Task FillHourlyAsync(MySqlConnection c, long t0)
    {
        var sw = Stopwatch.StartNew();
        var sql = ClusterWatch.Core.Storage.Hourly.RecomputeSql("ON DUPLICATE KEY UPDATE samples = VALUES(samples), cpu_sum_pct = VALUES(cpu_sum_pct)")
            .Replace("SELECT kind, @p1,", "SELECT kind, cycle_start_ts DIV 3600 * 3600,", StringComparison.Ordinal)
            .Replace("GROUP BY kind, node_name, item_key", "GROUP BY kind, cycle_start_ts DIV 3600, node_name, item_key", StringComparison.Ordinal);
        for (var n = 1; n <= Nodes; n++)
            for (var day = 0; day < 7; day++)
            {
                await using var cmd = new MySqlCommand(sql, c);
                cmd.Parameters.AddWithValue("@p0", $"node{n:00}");
                cmd.Parameters.AddWithValue("@p1", t0 + day * 86400L);
                cmd.Parameters.AddWithValue("@p2", t0 + (day + 1) * 86400L);
                await cmd.ExecuteNonQueryAsync();
            }
        await Exec(c, "ANALYZE TABLE history, history_hourly");
        Console.WriteLine($"  history_hourly filled: {await Scalar(c, "SELECT COUNT(*) FROM history_hourly")} rows ({sw.Elapsed.TotalSeconds:0} s)");
    }

    private static async Task<List<(string Name, string Columns)>> SecondaryIndexesAsync(MySqlConnection c, string table)
    {
        var list = new List<(string, string)>();
        await using var cmd = new MySqlCommand($"SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME", c);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add((r.GetString(0), r.GetString(1)));
        return list;
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ClusterWatch.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }

    private static async Task Exec(MySqlConnection c, string sql)
    {
        await using var cmd = new MySqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(MySqlConnection c, string sql)
    {
        await using var cmd = new MySqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync();
    }
}
