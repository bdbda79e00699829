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
/// Usage: dotnet run -c Release --project bench/ClusterWatch.Benchmarks -- mysql-dashboards [explain-file [sql-folder]]
/// The data set is made once (~7 min) and reused by later runs (migrated to the current schema first).
/// </summary>
internal static class MySqlDashboardBench
{
    private const int Nodes = 20, Users = 50, Items = 10, Cycles = 7 * 86400 / 90, Hours = 7 * 24;

    public static async Task<int> RunAsync(string[] args)
    {
        var cs = Environment.GetEnvironmentVariable("CW_TEST_MYSQL") ?? throw new InvalidOperationException("CW_TEST_MYSQL is not set");
        var password = Environment.GetEnvironmentVariable("CW_TEST_MYSQL_PASSWORD") ?? "";
        var dbName = "cwtest_dash7d";
        var db = new MySqlConnectionStringBuilder(cs) { Database = dbName, Password = password, DefaultCommandTimeout = 600 }.ConnectionString;
        await using (var admin = new MySqlConnection(new MySqlConnectionStringBuilder(cs) { Password = password }.ConnectionString))
        {
            await admin.OpenAsync();
            // A complete data set (its nodes are written last) is reused and migrated; a half-made one is made again.
            var tables = await Scalar(admin, $"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{dbName}' AND TABLE_NAME = 'nodes'");
            if (Convert.ToInt64(tables, CultureInfo.InvariantCulture) > 0 && Convert.ToInt64(await Scalar(admin, $"SELECT COUNT(*) FROM {dbName}.nodes"), CultureInfo.InvariantCulture) < Nodes)
                await Exec(admin, $"DROP DATABASE {dbName}");
            await Exec(admin, $"CREATE DATABASE IF NOT EXISTS {dbName} CHARACTER SET utf8mb4");
        }
        await using (var store = new MySqlUsageStore(new MySqlConnectionStringBuilder(cs) { Database = dbName }.ConnectionString, password))
        {
            var (before, sw) = (await store.GetSchemaVersionAsync(CancellationToken.None), Stopwatch.StartNew());
            await store.MigrateAsync(CancellationToken.None);
            Console.WriteLine($"schema version {before} → {await store.GetSchemaVersionAsync(CancellationToken.None)} ({sw.Elapsed.TotalSeconds:0.0} s)");
        }
        await using var c = new MySqlConnection(db);
        await c.OpenAsync();
        await Exec(c, "SET time_zone = '+00:00'");
        var t0 = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var end = DateTimeOffset.FromUnixTimeSeconds(t0 + Cycles * 90L);
        if (Convert.ToInt64(await Scalar(c, "SELECT COUNT(*) FROM nodes"), CultureInfo.InvariantCulture) < Nodes)
            await GenerateAsync(c, t0);
        if (Convert.ToInt64(await Scalar(c, "SELECT COUNT(*) FROM history_hourly"), CultureInfo.InvariantCulture) != Nodes * Hours * (Users + 2 * Items + 1))
            await FillHourlyAsync(c, t0);
        Console.WriteLine($"history rows: {await Scalar(c, "SELECT COUNT(*) FROM history")}");
        var explain = new StringBuilder();
        var explained = new HashSet<string>(StringComparer.Ordinal); // a query both dashboards share is explained once
        var sqlDir = args.Length > 1 ? Directory.CreateDirectory(args[1]).FullName : null;
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
                    Report(sqlDir, hours, file, "variable " + v.GetProperty("name").GetString(), sql, ms, values.Count);
                    if (hours is 1 or 168 && explained.Add(sql))
                        explain.Append(await ExplainAsync(c, $"variable {v.GetProperty("name").GetString()} ({hours} h)", sql));
                }
                foreach (var p in d.GetProperty("panels").EnumerateArray())
                {
                    var sql = GrafanaMacros.Expand(p.GetProperty("targets")[0].GetProperty("rawSql").GetString()!, new(from, end, interval, vars));
                    var (ms, rows) = await TimeAsync(c, sql);
                    Report(sqlDir, hours, file, p.GetProperty("title").GetString()!, sql, ms, rows.Count);
                    if (hours is 1 or 168 && explained.Add(sql))
                        explain.Append(await ExplainAsync(c, $"{p.GetProperty("title").GetString()} ({hours} h)", sql));
                }
            }
        }
        if (args.Length > 0)
            await File.WriteAllTextAsync(args[0], explain.ToString());
        return 0;
    }

    /// <summary>Prints the timing; with a SQL folder (second argument) also writes the expanded query there, to try by hand.</summary>
    private static void Report(string? sqlDir, int hours, string file, string what, string sql, double ms, int rows)
    {
        Console.WriteLine($"{hours,4} h  {Path.GetFileNameWithoutExtension(file),-30} {what,-48} {ms,8:0.0} ms  {rows,6} rows");
        if (sqlDir != null)
            File.WriteAllText(Path.Combine(sqlDir, $"{hours}h-{Path.GetFileNameWithoutExtension(file)}-{new string(what.Where(char.IsLetterOrDigit).ToArray())}.sql"), sql + ";\n");
    }

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
        for (var n = 1; n <= Nodes; n++)
            await Exec(c, $"INSERT INTO nodes (node_name, host, source, status, first_seen_ts, last_seen_ts, last_error, cpu_count, mem_total_bytes) VALUES ('node{n:00}', 'node{n:00}', 'proc', 'up', {t0}, {t0 + Cycles * 90L}, NULL, 64, 274877906944)");
    }

    /// <summary>history_hourly with the store's own statement (<see cref="ClusterWatch.Core.Storage.Hourly"/>), one node
    /// and hour at a time as the store does when cycles are written (an upsert: an interrupted fill is simply run again).</summary>
    private static async Task FillHourlyAsync(MySqlConnection c, long t0)
    {
        var sw = Stopwatch.StartNew();
        var sql = ClusterWatch.Core.Storage.Hourly.RecomputeSql(
            "ON DUPLICATE KEY UPDATE " + string.Join(", ", ClusterWatch.Core.Storage.Hourly.Values.Select(v => $"{v} = VALUES({v})")));
        for (var n = 1; n <= Nodes; n++)
        {
            await Exec(c, "START TRANSACTION");
            for (var hour = 0; hour < Hours; hour++)
            {
                await using var cmd = new MySqlCommand(sql, c);
                cmd.Parameters.AddWithValue("@p0", $"node{n:00}");
                cmd.Parameters.AddWithValue("@p1", t0 + hour * 3600L);
                cmd.Parameters.AddWithValue("@p2", t0 + (hour + 1) * 3600L);
                await cmd.ExecuteNonQueryAsync();
            }
            await Exec(c, "COMMIT");
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
