using ClusterWatch.Configuration;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;

namespace ClusterWatch.Hosting;

/// <summary>The SSH node sources of the configured Nodes list.</summary>
internal static class SshSources
{
    public static IReadOnlyList<INodeSource> Create(IReadOnlyList<NodeConfig> nodes) =>
        nodes.Select(Create).ToList();

    public static INodeSource Create(NodeConfig node) => node.Source switch
    {
        "top" => new SshTopSource(node.Endpoint, node.Reconnect),
        _ => new SshProcSource(node.Endpoint, node.Reconnect),
    };
}
