namespace ClusterWatch.Core.Model;

/// <summary>Node states of PRODUCT.md, as stored in nodes.status.</summary>
public enum NodeState
{
    Up,
    Down,
    AuthFailed,
    HostKeyUnknown,
    HostKeyChanged,
    ToolMissing,
    Partial,
}

/// <summary>Text forms of node states ("up", "host-key-unknown", …).</summary>
public static class NodeStates
{
    public static string ToText(this NodeState state) => state switch
    {
        NodeState.Up => "up",
        NodeState.Down => "down",
        NodeState.AuthFailed => "auth-failed",
        NodeState.HostKeyUnknown => "host-key-unknown",
        NodeState.HostKeyChanged => "host-key-changed",
        NodeState.ToolMissing => "tool-missing",
        _ => "partial",
    };
}

/// <summary>A node's row in the nodes table.</summary>
public sealed record NodeStatus(
    string Node,
    string Host,
    string Source,
    NodeState State,
    DateTimeOffset LastSeen,
    string? LastError,
    int CpuCount = 0,
    long MemTotalBytes = 0);
