using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClusterWatch.Configuration;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using ClusterWatch.Hosting;
using Spectre.Console;

namespace ClusterWatch.Commands;

/// <summary>`clusterwatch report`: top users, processes or commands over a time range.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var db = CommonOptions.Db();
        var mysql = CommonOptions.MySql();
        var since = new Option<string>("--since") { Description = "Start: an age like 1h or 7d, or a UTC time like 2026-12-03T10:00Z", DefaultValueFactory = _ => "1h" };
        var until = new Option<string?>("--until") { Description = "End (exclusive): an age or a UTC time (default: now)" };
        var by = new Option<string>("--by") { Description = "user, process or command", DefaultValueFactory = _ => "user" };
        var node = new Option<string?>("--node") { Description = "Only this node" };
        var top = new Option<int>("--top") { Description = "How many rows", DefaultValueFactory = _ => 10 };
        var format = new Option<string>("--format") { Description = "table, csv or json", DefaultValueFactory = _ => "table" };
        var cmd = new Command("report", "Top users, processes or commands over a time range") { config, db, mysql, since, until, by, node, top, format };
        cmd.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var cfg = ConfigLoader.Load(parse.GetValue(config), new Dictionary<string, string?> { ["Store:Sqlite"] = parse.GetValue(db), ["Store:MySql"] = parse.GetValue(mysql) });
            var now = DateTimeOffset.UtcNow;
            var errors = new List<ConfigError>();
            var from = ParseTime(parse.GetValue(since)!, now, "--since", errors);
            var to = parse.GetValue(until) is { } u ? ParseTime(u, now, "--until", errors) : now;
            ItemKind kind = default;
            try
            {
                kind = ItemKinds.Parse(parse.GetValue(by)!);
            }
            catch (FormatException)
            {
                errors.Add(new ConfigError("--by", $"'{parse.GetValue(by)}' is not user, process or command"));
            }
            var fmt = parse.GetValue(format)!;
            if (fmt is not ("table" or "csv" or "json"))
                errors.Add(new ConfigError("--format", $"'{fmt}' is not table, csv or json"));
            if (parse.GetValue(top) < 1)
                errors.Add(new ConfigError("--top", "must be at least 1"));
            if (errors.Count == 0 && to <= from)
                errors.Add(parse.GetValue(until) == null
                    ? new ConfigError("--since", $"{from:yyyy-MM-dd HH:mm:ss}Z is not in the past; give an age (1h, 2d) or an earlier UTC time")
                    : new ConfigError("--until", $"the end ({to:yyyy-MM-dd HH:mm:ss}Z) must be after the start ({from:yyyy-MM-dd HH:mm:ss}Z, --since)"));
            if (errors.Count > 0)
                throw new ConfigException(errors);
            var (opened, problem) = await Factories.OpenExistingStoreAsync(cfg, ct);
            if (opened == null)
            {
                await Console.Error.WriteLineAsync(problem);
                return 1;
            }
            await using var store = opened;
            var wanted = parse.GetValue(node);
            if (wanted != null && await store.GetNodesAsync(ct) is var nodes && nodes.All(n => n.Node != wanted))
            {
                var known = nodes.Select(n => n.Node).Order(StringComparer.Ordinal).ToList();
                throw new ConfigException([new ConfigError("--node", $"no node named '{wanted}' in {store.Description}; known: {(known.Count == 0 ? "none" : string.Join(", ", known))}")]);
            }
            var rows = await store.TopAsync(new TopQuery(kind, from, to, wanted, parse.GetValue(top)), ct);
            Write(rows, kind, from, to, fmt);
            return 0;
        }));
        return cmd;
    }

    internal static DateTimeOffset ParseTime(string text, DateTimeOffset now, string flag, List<ConfigError> errors)
    {
        if (Durations.TryParse(text, out var age) && age > TimeSpan.Zero)
            return now - age;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return t;
        errors.Add(new ConfigError(flag, $"'{text}' is neither an age (1h, 7d) nor a time (2026-12-03T10:00Z)"));
        return now;
    }

    private static readonly string[] Headers =
        ["rank", "kind", "key", "user", "command", "nodes", "cpu_avg_pct", "cpu_max_pct", "cpu_core_seconds", "rss_avg_mib", "rss_max_mib", "mem_avg_pct", "samples"];

    private static void Write(IReadOnlyList<TopItem> rows, ItemKind kind, DateTimeOffset from, DateTimeOffset to, string format)
    {
        var values = rows.Select((r, i) => new object[]
        {
            i + 1, r.Kind.ToText(), r.Key, r.User, r.Command, r.Nodes, Math.Round(r.CpuAvgPct, 2), Math.Round(r.CpuMaxPct, 2),
            Math.Round(r.CpuSeconds, 1), Math.Round(r.RssAvgBytes / 1048576, 1), Math.Round(r.RssMaxBytes / 1048576, 1),
            Math.Round(r.MemAvgPct, 2), r.Samples,
        }).ToList();
        switch (format)
        {
            case "json":
                var objects = values.Select(v => Headers.Zip(v).ToDictionary(p => p.First, p => p.Second));
                Console.WriteLine(JsonSerializer.Serialize(new { from, to, by = kind.ToText(), rows = objects }, new JsonSerializerOptions { WriteIndented = true }));
                break;
            case "csv":
                Console.WriteLine(string.Join(",", Headers));
                foreach (var v in values)
                    Console.WriteLine(string.Join(",", v.Select(x => Csv(Convert.ToString(x, CultureInfo.InvariantCulture) ?? ""))));
                break;
            default:
                var plural = kind == ItemKind.Process ? "processes" : kind.ToText() + "s";
                var table = new Table().Title($"top {plural} {from:yyyy-MM-dd HH:mm:ss}Z – {to:yyyy-MM-dd HH:mm:ss}Z");
                if (Console.IsOutputRedirected)
                    AnsiConsole.Profile.Width = 200; // a file or a pipe has no width: don't wrap at 80
                var process = kind == ItemKind.Process;
                string[] headers = process
                    ? ["#", "pid:start", "user", "command", "node", "CPU avg %", "CPU max %", "core·s", "RSS avg MiB", "RSS max MiB", "samples"]
                    : ["#", kind.ToText(), "nodes", "CPU avg %", "CPU max %", "core·s", "RSS avg MiB", "RSS max MiB", "mem avg %", "samples"];
                foreach (var h in headers)
                    table.AddColumn(new TableColumn(Markup.Escape(h)));
                foreach (var v in values)
                {
                    int[] pick = process ? [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12] : [0, 2, 5, 6, 7, 8, 9, 10, 11, 12];
                    table.AddRow(pick.Select(i => (Spectre.Console.Rendering.IRenderable)new Text(Convert.ToString(v[i], CultureInfo.InvariantCulture) ?? "")).ToArray());
                }
                AnsiConsole.Write(table);
                Console.WriteLine(process
                    ? "CPU in % of one core (200 = two busy cores), averaged over the samples in which the process was alive in the range (0 where the volume rule did not keep its row: it used no CPU); RSS averaged over the samples that hold it."
                    : "CPU in % of one core (200 = two busy cores), averaged over the time sampled in the range (absent = 0); RSS sums count shared pages once per process.");
                break;
        }
    }

    private static string Csv(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 || s.StartsWith('=') || s.StartsWith('+') || s.StartsWith('-') || s.StartsWith('@')
            ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : s;
}
