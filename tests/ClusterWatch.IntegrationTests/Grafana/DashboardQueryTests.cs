using System.Globalization;
using System.Text.Json;
using ClusterWatch.IntegrationTests.Infrastructure;
using MySqlConnector;

namespace ClusterWatch.IntegrationTests.Grafana;

/// <summary>
/// Every panel and variable query of the shipped dashboards, expanded as Grafana would (see <see cref="GrafanaMacros"/>)
/// at several ranges and intervals, run against MariaDB holding what the real watcher wrote — with the server's and
/// the session's time zone at +05:30. Results must be sorted, non-null, inside the range, the same in a UTC session,
/// and the top tables must agree with `clusterwatch report` for the same range (case C27).
/// </summary>
[Collection("MariaDB server state")]
public sealed class DashboardQueryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryDashboardQuery_OnWatcherData_AtPlus0530_SortedInRangeAndAgreesWithReport()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        MariaDb.Control("root-sql", "SET GLOBAL time_zone = '+05:30'");
        try
        {
            var start = DateTimeOffset.UtcNow;
            var run = await ClusterWatchProcess.RunAsync(
                ["watch", "--mysql", db.ConnectionString, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--duration", "25s", "--no-web"],
                TimeSpan.FromSeconds(90), Directory.CreateTempSubdirectory("cw-grafana-").FullName,
                new Dictionary<string, string> { ["CLUSTERWATCH_DB_PASSWORD"] = MariaDb.Password, ["CLUSTERWATCH__Watch__LocalNode"] = "grafana1" });
            Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
            var end = DateTimeOffset.UtcNow;
            var ranges = new (DateTimeOffset From, DateTimeOffset To)[]
            {
                (start.AddSeconds(-60), end.AddSeconds(5)), (start.AddSeconds(-60), start.AddSeconds(14)), (start.AddHours(-2), start.AddHours(-1)),
                // Longer than 3 h: the dashboards read history_hourly (whole hours whose start is in the range).
                (HourStart(start).AddHours(-3), HourStart(end).AddHours(1)),
            };
            TimeSpan[] intervals = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(90), TimeSpan.FromHours(1)];
            await using var local = await OpenAsync(db, "+05:30");
            await using var utc = await OpenAsync(db, "+00:00");
            Assert.Equal("+05:30", await ScalarAsync(local, "SELECT @@session.time_zone"));
            var checkedQueries = 0;
            foreach (var file in Dashboards.Files)
                foreach (var (from, to) in ranges)
                    foreach (var interval in intervals)
                    {
                        var vars = await VariablesAsync(local, file, from, to, interval);
                        var ctx = new GrafanaMacros.Context(from, to, interval, vars);
                        foreach (var q in Dashboards.Panels(file))
                        {
                            var sql = GrafanaMacros.Expand(q.Sql, ctx);
                            var rows = await QueryAsync(local, sql);
                            Assert.Equal(Render(rows), Render(await QueryAsync(utc, sql))); // epoch columns: no time zone anywhere
                            CheckRows(q, rows, ctx);
                            checkedQueries++;
                        }
                    }
            Assert.True(checkedQueries >= 2 * 4 * 4 * 4);
            foreach (var (from, to) in ranges.Where((_, i) => i != 2))
                await AgreeWithReportAsync(db, local, from, to);
        }
        finally
        {
            MariaDb.Control("root-sql", "SET GLOBAL time_zone = 'SYSTEM'");
        }
    }

    private static DateTimeOffset HourStart(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds() / 3600 * 3600);

    private static void CheckRows(Dashboards.Query q, List<object?[]> rows, GrafanaMacros.Context ctx)
    {
        var where = $"{q.Dashboard} / {q.Name} at {ctx.From:O}–{ctx.To:O} every {ctx.Interval}";
        foreach (var r in rows)
            Assert.True(r.All(v => v != null), $"{where}: a NULL value");
        if (q.Format != "time_series")
        {
            var cpu = rows.Select(r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(cpu.OrderByDescending(v => v), cpu);
            return;
        }
        var step = Math.Max(1, (long)GrafanaMacros.ParseInterval(GrafanaMacros.FormatInterval(ctx.Interval)).TotalSeconds);
        var lo = ctx.From.ToUnixTimeSeconds() / step * step;
        var times = rows.Select(r => r[0] switch
        {
            long or int or ulong or uint => Convert.ToInt64(r[0], CultureInfo.InvariantCulture),
            decimal m when m == decimal.Truncate(m) => (long)m,
            var other => throw new Xunit.Sdk.XunitException($"{where}: time column is {other?.GetType().Name}, not an integer epoch (C27)"),
        }).ToList();
        Assert.Equal(times.Order(), times);
        Assert.All(times, t => Assert.InRange(t, lo, ctx.To.ToUnixTimeSeconds()));
    }

    private static async Task AgreeWithReportAsync(TestDatabase db, MySqlConnection c, DateTimeOffset from, DateTimeOffset to)
    {
        var all = await VariablesAsync(c, Dashboards.Files.First(), from, to, TimeSpan.FromMinutes(1));
        var ctx = new GrafanaMacros.Context(from, to, TimeSpan.FromMinutes(1), all);
        foreach (var (title, by) in new[] { ("Top users of the range", "user"), ("Top commands of the range", "command") })
        {
            var panel = Dashboards.Panels(Dashboards.Files.First(f => f.EndsWith("clusterwatch-overview.json", StringComparison.Ordinal))).Single(p => p.Name == title);
            var grafana = (await QueryAsync(c, GrafanaMacros.Expand(panel.Sql, ctx))).ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
            var report = await ClusterWatchProcess.RunAsync(["report", "--mysql", db.ConnectionString, "--by", by, "--since", from.ToString("O"), "--until", to.ToString("O"), "--top", "1000", "--format", "json"],
                TimeSpan.FromSeconds(60), env: new Dictionary<string, string> { ["CLUSTERWATCH_DB_PASSWORD"] = MariaDb.Password });
            Assert.Equal(0, report.ExitCode);
            var rows = JsonDocument.Parse(report.Stdout).RootElement.GetProperty("rows").EnumerateArray()
                .ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("cpu_avg_pct").GetDouble());
            Assert.NotEmpty(rows);
            Assert.All(grafana.Keys, k => Assert.Contains(k, rows.Keys));
            if (rows.Count <= 25)
                Assert.Equal(rows.Keys.Order(StringComparer.Ordinal), grafana.Keys.Order(StringComparer.Ordinal));
            foreach (var (key, cpu) in grafana)
                Assert.True(Math.Abs(rows[key] - cpu) <= 0.006, $"{by} {key}: Grafana {cpu:0.000} vs report {rows[key]:0.00}");
        }
    }

    /// <summary>The dashboard's variables with every value selected (All), in dependency order (node, then user).</summary>
    private static async Task<Dictionary<string, IReadOnlyList<string>>> VariablesAsync(MySqlConnection c, string file, DateTimeOffset from, DateTimeOffset to, TimeSpan interval)
    {
        var vars = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var v in Dashboards.Variables(file))
        {
            var rows = await QueryAsync(c, GrafanaMacros.Expand(v.Sql, new GrafanaMacros.Context(from, to, interval, vars)));
            var values = rows.Select(r => (string)r[0]!).ToList();
            Assert.Equal(values.Order(StringComparer.Ordinal), values);
            // Grafana expands an All with no values to an empty list, which is invalid SQL; a value nobody has keeps IN () valid.
            vars[v.Name] = values.Count == 0 ? ["(none)"] : values;
        }
        return vars;
    }

    private static async Task<MySqlConnection> OpenAsync(TestDatabase db, string zone)
    {
        var c = await MariaDb.OpenAsync(db.ConnectionString);
        await using var cmd = new MySqlCommand($"SET time_zone = '{zone}'", c);
        await cmd.ExecuteNonQueryAsync(Ct);
        return c;
    }

    private static async Task<object?> ScalarAsync(MySqlConnection c, string sql)
    {
        await using var cmd = new MySqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync(Ct);
    }

    private static async Task<List<object?[]>> QueryAsync(MySqlConnection c, string sql)
    {
        await using var cmd = new MySqlCommand(sql, c);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var rows = new List<object?[]>();
        while (await r.ReadAsync(Ct))
        {
            var row = new object?[r.FieldCount];
            for (var i = 0; i < row.Length; i++)
                row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private static string Render(List<object?[]> rows) =>
        string.Join("\n", rows.Select(r => string.Join("|", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))));
}
