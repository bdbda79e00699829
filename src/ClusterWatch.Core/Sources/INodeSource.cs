using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Sources;

/// <summary>
/// Takes one snapshot of one node when the watcher asks (the watcher's clock drives every node; no sleep loop on a node).
/// A source is used by one node loop at a time.
/// </summary>
public interface INodeSource : IAsyncDisposable
{
    /// <summary>Configured node name.</summary>
    string Node { get; }

    /// <summary>Where the node is reached ("local" or host:port).</summary>
    string Host { get; }

    /// <summary>"proc" or "top".</summary>
    string Kind { get; }

    /// <summary>
    /// Takes the snapshot for <paramref name="tick"/>. Throws <see cref="NodeSourceException"/> with the node state
    /// when the node can't be read (down, auth failed, tool missing …).
    /// </summary>
    Task<NodeSnapshot> TakeAsync(DateTimeOffset tick, CancellationToken cancellationToken);
}

/// <summary>A node could not be sampled; <see cref="State"/> says why in the words of the nodes table.</summary>
public sealed class NodeSourceException : Exception
{
    public NodeSourceException(NodeState state, string message, Exception? inner = null)
        : base(message, inner) => State = state;

    public NodeState State { get; }
}
