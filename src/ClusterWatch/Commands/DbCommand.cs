using System.CommandLine;
using System.Data.Common;
using ClusterWatch.Configuration;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using ClusterWatch.Hosting;

namespace ClusterWatch.Commands;

/// <summary>`clusterwatch db migrate|check|prune`: schema upgrades, a health check and retention by hand.</summary>
internal static class DbCommand
{
    public static Command Create()
    {
        var cmd = new Command("db", "Database maintenance: migrate, check, prune");
        cmd.Subcommands.Add(Sub("migrate", "Create or upgrade the schema (under a lock; safe while watchers run)", MigrateAsync));
        cmd.Subcommands.Add(Sub("check", "Connectivity, schema version, row counts, oldest and newest rows", CheckAsync));
        cmd.Subcommands.Add(Sub("prune", "Delete rows past retention now, in small batches", PruneAsync));
        return cmd;
    }

    private static Command Sub(string name, string description, Func<AppConfig, IUsageStore, CancellationToken, Task<int>> body)
    {
        var config = CommonOptions.Config();
        var db = CommonOptions.Db();
        var mysql = CommonOptions.MySql();
        var sub = new Command(name, description) { config, db, mysql };
        sub.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var cfg = ConfigLoader.Load(parse.GetValue(config), new Dictionary<string, string?> { ["Store:Sqlite"] = parse.GetValue(db), ["Store:MySql"] = parse.GetValue(mysql) });
            await using var store = Factories.CreateStore(cfg);
            try
            {
                return await body(cfg, store, ct);
            }
            catch (DbException e)
            {
                await Console.Error.WriteLineAsync($"{store.Description}: {e.Message}");
                return 1;
            }
        }));
        return sub;
    }

    private static async Task<int> MigrateAsync(AppConfig cfg, IUsageStore store, CancellationToken ct)
    {
        var before = await store.GetSchemaVersionAsync(ct);
        await store.MigrateAsync(ct);
        var after = await store.GetSchemaVersionAsync(ct);
        Console.WriteLine(before == after ? $"{store.Description}: schema is at version {after}, nothing to do" : $"{store.Description}: schema upgraded from version {before} to {after}");
        return 0;
    }

    private static async Task<int> CheckAsync(AppConfig cfg, IUsageStore store, CancellationToken ct)
    {
        var version = await store.GetSchemaVersionAsync(ct);
        Console.WriteLine($"{store.Description}: reachable, schema version {version}");
        if (version == 0)
        {
            Console.WriteLine("no ClusterWatch schema yet; run `clusterwatch db migrate` or start a watcher");
            return 1;
        }
        if (store is SqlUsageStore sql)
            foreach (var t in await sql.GetTableStatsAsync(ct))
                Console.WriteLine($"  {t.Table,-16} {t.Rows,12} rows{(t.Oldest is { } o ? $"  oldest {o:yyyy-MM-dd HH:mm:ss}Z  newest {t.Newest:yyyy-MM-dd HH:mm:ss}Z" : "")}");
        foreach (var n in await store.GetNodesAsync(ct))
            Console.WriteLine($"  node {n.Node}: {n.State.ToText()}, last seen {n.LastSeen:yyyy-MM-dd HH:mm:ss}Z{(n.LastError is { } e ? $" ({e})" : "")}");
        return 0;
    }

    private static async Task<int> PruneAsync(AppConfig cfg, IUsageStore store, CancellationToken ct)
    {
        var n = await store.PruneAsync(cfg.Watch.Retention, DateTimeOffset.UtcNow, ct);
        Console.WriteLine($"{store.Description}: deleted {n} rows past retention (samples {cfg.Watch.Retention.Samples.TotalHours:0} h, windows {cfg.Watch.Retention.Windows.TotalDays:0} d, history {cfg.Watch.Retention.History.TotalDays:0} d)");
        return 0;
    }
}
