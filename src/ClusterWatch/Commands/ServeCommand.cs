using System.CommandLine;
using System.Runtime.InteropServices;
using ClusterWatch.Configuration;
using ClusterWatch.Hosting;
using ClusterWatch.Web;

namespace ClusterWatch.Commands;

/// <summary>`clusterwatch serve`: the dashboard, API and /metrics over an existing store, without sampling.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var db = CommonOptions.Db();
        var listen = new Option<string?>("--listen") { Description = "Dashboard address (default 127.0.0.1:8080); other than 127.0.0.1/::1/localhost needs a token" };
        var cmd = new Command("serve", "Serve the dashboard, JSON API and /metrics for an existing store, without sampling") { config, db, listen };
        cmd.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var cfg = ConfigLoader.Load(parse.GetValue(config), new Dictionary<string, string?>
            {
                ["Store:Sqlite"] = parse.GetValue(db),
                ["Web:Listen"] = parse.GetValue(listen),
            });
            var (opened, problem) = await Factories.OpenExistingStoreAsync(cfg, ct);
            if (opened == null)
            {
                await Console.Error.WriteLineAsync(problem);
                return 1;
            }
            await using var store = opened;
            var (started, addressLine) = await WebStartup.StartAsync(cfg.Web, store, live: null, ct);
            await using var app = started;
            Console.WriteLine($"ClusterWatch: serving {store.Description} (no sampling)");
            Console.WriteLine(addressLine);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return 0;
        }));
        return cmd;
    }
}
