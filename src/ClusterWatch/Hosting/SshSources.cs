using ClusterWatch.Configuration;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.Core.Watching;

namespace ClusterWatch.Hosting;

/// <summary>The SSH node sources of the configured Nodes list.</summary>
internal static class SshSources
{
    public static IReadOnlyList<INodeSource> Create(IReadOnlyList<NodeConfig> nodes, int sampleSeconds, IWatchReporter? reporter) =>
        nodes.Select(n => Create(n, sampleSeconds, reporter)).ToList();

    public static INodeSource Create(NodeConfig node, int sampleSeconds, IWatchReporter? reporter) => node.Source switch
    {
        "top" => new TopSource(node.Endpoint.Name, new SshTopTransport(node.Endpoint, node.Reconnect), sampleSeconds, reporter, "C.UTF-8"),
        _ => new SshProcSource(node.Endpoint, node.Reconnect),
    };
}
