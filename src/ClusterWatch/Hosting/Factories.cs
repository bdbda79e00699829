using ClusterWatch.Configuration;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Proc;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.Core.Watching;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.Core.Storage.Spool;

namespace ClusterWatch.Hosting;

/// <summary>Builds the store and the node sources from the configuration (composition root helpers).</summary>
internal static class Factories
{
    /// <summary>Environment variable holding the MySQL/MariaDB password (or use Store:PasswordFile).</summary>
    public const string PasswordVariable = "CLUSTERWATCH_DB_PASSWORD";

    /// <summary>The store itself (report, db commands): SQLite, or MySQL/MariaDB when Store:MySql is set.</summary>
    public static IUsageStore CreateStore(AppConfig config)
    {
        if (config.Store.MySql is not { } connectionString)
            return new SqliteUsageStore(config.Store.SqlitePath);
        var password = ReadPassword(config.Store);
        try
        {
            return new MySqlUsageStore(connectionString, password);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException([new ConfigError("Store:MySql (--mysql)", e.Message.Split(" (Parameter", 2)[0])]);
        }
    }

    /// <summary>
    /// A store that must already hold data (serve, report): null and a message for the user when it doesn't. A missing
    /// SQLite file is said so before opening it, since opening would leave an empty file behind.
    /// </summary>
    public static async Task<(IUsageStore? Store, string? Problem)> OpenExistingStoreAsync(AppConfig config, CancellationToken ct)
    {
        if (config.Store.MySql == null && !File.Exists(config.Store.SqlitePath))
            return (null, $"no database at {config.Store.SqlitePath}; give --db the file `clusterwatch watch` writes");
        var store = CreateStore(config);
        if (await store.GetSchemaVersionAsync(ct) != 0)
            return (store, null);
        await store.DisposeAsync();
        return (null, $"{store.Description} holds no ClusterWatch data yet; run `clusterwatch watch` first");
    }

    /// <summary>
    /// The watcher's store: the real one behind a spool, so a database outage loses no samples. The spool path also
    /// names this watcher in node leases (host + path: the same after a restart, different for a second watcher).
    /// </summary>
    public static SpoolingStore CreateWatchStore(AppConfig config, IWatchReporter reporter)
    {
        var path = Path.GetFullPath(config.Store.Spool ?? (config.Store.MySql == null ? config.Store.SqlitePath + ".spool" : "clusterwatch.spool"));
        var lease = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(2).Ticks, config.Watch.Sample.Ticks * 6));
        var options = new SpoolOptions(path, $"{Environment.MachineName}:{path}", lease)
        {
            IsPermanent = config.Store.MySql == null ? _ => false : MySqlErrors.IsPermanent,
            IsUnreachable = config.Store.MySql == null ? _ => false : MySqlErrors.IsUnreachable,
        };
        var inner = CreateStore(config);
        try
        {
            return new SpoolingStore(inner, options, reporter);
        }
        catch (IOException e)
        {
            inner.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new ConfigException([new ConfigError("Store:Spool", e.Message)]);
        }
    }

    /// <summary>The password from CLUSTERWATCH_DB_PASSWORD or Store:PasswordFile — never from the command line.</summary>
    internal static string? ReadPassword(StoreConfig store)
    {
        if (store.PasswordFile is { } file)
        {
            try
            {
                return File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException([new ConfigError("Store:PasswordFile", $"cannot read '{file}' ({e.Message}); give a readable file holding only the password")]);
            }
        }
        return Environment.GetEnvironmentVariable(PasswordVariable);
    }

    public static IReadOnlyList<INodeSource> CreateSources(AppConfig config, IWatchReporter? reporter = null)
    {
        var nodes = NodesConfig.Read(config.Raw, config.Source);
        if (nodes.Count > 0)
            return SshSources.Create(nodes, (int)config.Watch.Sample.TotalSeconds, reporter);
        if (config.Source == "top")
            return [new TopSource(config.LocalNode, new LocalTopTransport(), (int)config.Watch.Sample.TotalSeconds, reporter)];
        return [new LocalProcSource(config.LocalNode)];
    }
}
