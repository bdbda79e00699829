using System.CommandLine;
using System.Data.Common;
using System.Runtime.InteropServices;
using ClusterWatch.Configuration;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Storage.Spool;
using ClusterWatch.Core.Watching;
using ClusterWatch.Hosting;
using ClusterWatch.Web;
using Microsoft.AspNetCore.Builder;

namespace ClusterWatch.Commands;

/// <summary>`clusterwatch watch`: the main job.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var db = CommonOptions.Db();
        var mysql = CommonOptions.MySql();
        var sample = new Option<string?>("--sample") { Description = "Sample interval, e.g. 5s (whole seconds)" };
        var window = new Option<string?>("--window") { Description = "Window length, a whole number of samples (default 30s)" };
        var cycle = new Option<string?>("--cycle") { Description = "Cycle length, a whole number of windows (default 90s)" };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long (default: run until Ctrl-C)" };
        var source = new Option<string?>("--source") { Description = "proc (default) or top" };
        var all = new Option<bool>("--all-processes") { Description = "Store every process, not only those with CPU or in the top 20 by memory" };
        var listen = new Option<string?>("--listen") { Description = "Dashboard address (default 127.0.0.1:8080)" };
        var noWeb = new Option<bool>("--no-web") { Description = "Do not serve the dashboard" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug details to stderr" };
        var cmd = new Command("watch", "Watch the nodes: sample every interval, close windows and cycles, store everything, serve the dashboard")
        {
            config, db, mysql, sample, window, cycle, duration, source, all, listen, noWeb, verbose,
        };
        cmd.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var overrides = new Dictionary<string, string?>
            {
                ["Store:Sqlite"] = parse.GetValue(db),
                ["Store:MySql"] = parse.GetValue(mysql),
                ["Watch:Sample"] = parse.GetValue(sample),
                ["Watch:Window"] = parse.GetValue(window),
                ["Watch:Cycle"] = parse.GetValue(cycle),
                ["Watch:Duration"] = parse.GetValue(duration),
                ["Watch:Source"] = parse.GetValue(source),
                ["Watch:AllProcesses"] = parse.GetValue(all) ? "true" : null,
                ["Web:Listen"] = parse.GetValue(listen),
                ["Web:Enabled"] = parse.GetValue(noWeb) ? "false" : null,
            };
            var cfg = ConfigLoader.Load(parse.GetValue(config), overrides);
            return await RunAsync(cfg, new ConsoleWatchReporter(parse.GetValue(verbose)), ct);
        }));
        return cmd;
    }

    internal static async Task<int> RunAsync(AppConfig cfg, IWatchReporter reporter, CancellationToken ct)
    {
        if (cfg.Web.Enabled)
            WebStartup.Resolve(cfg.Web); // a bad address or a missing token is refused before anything is created
        await using var store = Factories.CreateWatchStore(cfg, reporter);
        // A start that fails before the watch is announced (a bad --db, a node another watcher holds, a taken port)
        // leaves no empty <db>.spool behind.
        var announced = false;
        try
        {
            try
            {
                await store.MigrateAsync(ct);
            }
            catch (DbException e)
            {
                await Console.Error.WriteLineAsync($"cannot use {store.Description}: {e.Message}");
                return 1;
            }
            var sources = Factories.CreateSources(cfg, reporter);
            if (await ClaimNodesAsync(store, sources, ct) is { Count: > 0 } refused)
            {
                foreach (var line in refused)
                    await Console.Error.WriteLineAsync(line);
                await DisposeAllAsync(sources);
                return 1;
            }
            var live = new LiveState();
            var w = cfg.Watch;
            (WebApplication App, string AddressLine)? startedWeb;
            try
            {
                // Listening before the watch is announced: a taken port is the only thing said, not "watching …" then an error.
                startedWeb = cfg.Web.Enabled ? await WebStartup.StartAsync(cfg.Web, store, live, ct) : null;
            }
            catch (ConfigException)
            {
                // e.g. the port is taken: give the nodes back before the error is printed, so a corrected start can claim them.
                await ReleaseNodesAsync(store, sources);
                await DisposeAllAsync(sources);
                throw;
            }
            await using var web = startedWeb?.App;
            announced = true;
            Console.WriteLine($"ClusterWatch: watching {string.Join(", ", sources.Select(s => $"{s.Node} ({s.Kind}, {s.Host})"))}");
            Console.WriteLine($"  every {Durations.Format(w.Sample)}, windows of {Durations.Format(w.Window)}, cycles of {Durations.Format(w.Cycle)}; storing into {store.Description}{(w.AllProcesses ? " (all processes)" : "")}");
            if (startedWeb is { } started)
                Console.WriteLine(started.AddressLine);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // SIGTERM and Ctrl-C: stop sampling, write the partial window and cycle, exit 0.
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
            var watcher = new Watcher(sources, store, w, TimeProvider.System, live, reporter);
            try
            {
                await watcher.RunAsync(stop.Token);
            }
            finally
            {
                await DisposeAllAsync(sources);
            }
            await ReleaseNodesAsync(store, sources);
            Console.WriteLine($"ClusterWatch: stopped; {watcher.RowsWritten} rows written to {store.Description}");
            return 0;
        }
        finally
        {
            if (!announced)
                store.DiscardSpoolIfUnused();
        }
    }

    private static async Task DisposeAllAsync(IReadOnlyList<INodeSource> sources)
    {
        foreach (var s in sources)
            await s.DisposeAsync();
    }

    /// <summary>Claims every node's lease; returns one message per node another live watcher holds.</summary>
    private static async Task<List<string>> ClaimNodesAsync(SpoolingStore store, IReadOnlyList<INodeSource> sources, CancellationToken ct)
    {
        var refused = new List<string>();
        foreach (var s in sources)
        {
            var claim = await store.ClaimNodeAsync(s.Node, store.Owner, DateTimeOffset.UtcNow, store.Lease, ct);
            if (!claim.Granted)
                refused.Add($"node {s.Node} is already watched by {claim.Owner} (lease until {claim.Until:yyyy-MM-dd HH:mm:ss}Z); " +
                    "stop that watcher, give this one other nodes, or wait until the lease expires");
        }
        return refused;
    }

    /// <summary>A clean stop ends the leases so another watcher may take the nodes at once (best effort).</summary>
    private static async Task ReleaseNodesAsync(SpoolingStore store, IReadOnlyList<INodeSource> sources)
    {
        foreach (var s in sources)
        {
            try
            {
                await store.ReleaseNodeAsync(s.Node, store.Owner, CancellationToken.None);
            }
            catch (Exception e) when (e is DbException or IOException or InvalidOperationException)
            {
                // the lease simply runs out
            }
        }
    }
}
