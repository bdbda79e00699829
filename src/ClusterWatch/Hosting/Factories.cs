using ClusterWatch.Configuration;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Proc;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.Core.Watching;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Hosting;

/// <summary>Builds the store and the node sources from the configuration (composition root helpers).</summary>
internal static class Factories
{
    public static IUsageStore CreateStore(AppConfig config)
    {
        if (config.Store.MySql != null)
            throw new ConfigException([new ConfigError("Store:MySql (--mysql)", "MySQL/MariaDB support is not built into this version yet; use --db FILE")]);
        return new SqliteUsageStore(config.Store.SqlitePath);
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
