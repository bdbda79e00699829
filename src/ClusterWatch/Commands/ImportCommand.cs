using System.CommandLine;
using System.Globalization;
using ClusterWatch.Configuration;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.Hosting;
using Spectre.Console;

namespace ClusterWatch.Commands;

/// <summary>`clusterwatch import FILE --node NAME --date YYYY-MM-DD`: a recorded `top -b -d N` log into the store.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A log of `top -b -d N` output" };
        var config = CommonOptions.Config();
        var db = CommonOptions.Db();
        var node = new Option<string>("--node") { Description = "Node name to store the samples under", Required = true };
        var date = new Option<string>("--date") { Description = "Date of the log's first frame, YYYY-MM-DD (later frames roll over at midnight)", Required = true };
        var offset = new Option<string>("--utc-offset") { Description = "The node's offset from UTC when the log was written, e.g. +02:00", DefaultValueFactory = _ => "+00:00" };
        var cpus = new Option<int?>("--cpus") { Description = "The node's CPU count (default: estimated from the log)" };
        var all = new Option<bool>("--all-processes") { Description = "Store every process, not only those with CPU or in the top 20 by memory" };
        var cmd = new Command("import", "Load a recorded `top -b -d N` log into the store as samples, windows and history (a second import changes nothing)")
        {
            file, config, db, node, date, offset, cpus, all,
        };
        cmd.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var errors = new List<ConfigError>();
            if (!DateOnly.TryParseExact(parse.GetValue(date), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                errors.Add(new ConfigError("--date", $"'{parse.GetValue(date)}' is not a date like 2026-12-03"));
            var offsetText = parse.GetValue(offset)!;
            if (!TimeSpan.TryParseExact(offsetText.TrimStart('+'), "hh\\:mm", CultureInfo.InvariantCulture, out var utcOffset))
                errors.Add(new ConfigError("--utc-offset", $"'{offsetText}' is not an offset like +02:00 or -05:00"));
            else if (offsetText.StartsWith('-'))
                utcOffset = -utcOffset;
            if (parse.GetValue(cpus) is < 1)
                errors.Add(new ConfigError("--cpus", "must be at least 1"));
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
                errors.Add(new ConfigError("file", $"no such file '{path}'"));
            if (errors.Count > 0)
                throw new ConfigException(errors);
            var result = TopParser.ParseText(await File.ReadAllTextAsync(path, ct));
            foreach (var e in result.Errors)
                await Console.Error.WriteLineAsync($"{path}: frame skipped, {e}");
            if (result.Frames.Count == 0)
            {
                await Console.Error.WriteLineAsync($"imported nothing from {path}: no readable frame ({result.Errors.Count} unreadable frames skipped)");
                return 1;
            }
            var times = TopLogTimes.FrameTimes(result.Frames, day, utcOffset);
            var interval = TopLogTimes.IntervalSeconds(times);
            var cpuCount = parse.GetValue(cpus) ?? TopLogTimes.EstimateCpuCount(result.Frames);
            if (cpuCount == null)
            {
                // top's first frame has no CPU figures of its own: a log cut after it can't tell the CPU count either.
                var measured = result.Frames.Count(f => f.UseForCpu);
                var why = measured == 0
                    ? $"the log has no frame with CPU figures ({result.Frames.Count} readable, the first of a top run has none{(result.Errors.Count > 0 ? $", {result.Errors.Count} unreadable" : "")})"
                    : "the log is too idle to tell the node's CPU count";
                throw new ConfigException([new ConfigError("--cpus", $"{why}; pass --cpus N")]);
            }
            var cfg = ConfigLoader.Load(parse.GetValue(config), new Dictionary<string, string?>
            {
                ["Store:Sqlite"] = parse.GetValue(db),
                ["Watch:Sample"] = $"{interval}s",
                ["Watch:AllProcesses"] = parse.GetValue(all) ? "true" : null,
            });
            var options = new TopImportOptions(parse.GetValue(node)!, day, utcOffset, cpuCount.Value, interval, cfg.Watch.Window, cfg.Watch.Cycle,
                cfg.Watch.AllProcesses, cfg.Watch.TopByMemory);
            await using var store = Factories.CreateStore(cfg);
            await store.MigrateAsync(ct);
            var summary = await RunWithProgressAsync(result.Frames, store, options, ct);
            Console.WriteLine($"imported {path} as node {options.Node} into {store.Description}: {summary.Frames} frames " +
                $"({summary.From:yyyy-MM-dd HH:mm:ss}Z – {summary.To:yyyy-MM-dd HH:mm:ss}Z, every {interval} s, {cpuCount} CPUs" +
                $"{(parse.GetValue(cpus) == null ? " estimated from the log; pass --cpus to set it" : "")}, %CPU in {summary.Scale} mode); " +
                $"{summary.Samples} samples ({summary.AlreadyStored} already stored), {summary.RowsWritten} rows written" +
                $"{(summary.SkippedFrames > 0 ? $", {summary.SkippedFrames} frames without a usable clock skipped" : "")}" +
                $"{(result.Errors.Count > 0 ? $", {result.Errors.Count} unreadable frames skipped" : "")}");
            return result.Errors.Count > 0 ? 1 : 0;
        }));
        return cmd;
    }

    private static async Task<TopImportSummary> RunWithProgressAsync(IReadOnlyList<TopFrame> frames, Core.Storage.IUsageStore store, TopImportOptions options, CancellationToken ct)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return await TopLogImporter.ImportAsync(frames, store, options, null, ct);
        TopImportSummary? summary = null;
        await AnsiConsole.Progress().StartAsync(async ctx =>
        {
            var task = ctx.AddTask($"importing {Markup.Escape(options.Node)}", maxValue: frames.Count);
            var progress = new Progress<int>(done => task.Value = done);
            summary = await TopLogImporter.ImportAsync(frames, store, options, progress, ct);
            task.Value = frames.Count;
        });
        return summary!;
    }
}
