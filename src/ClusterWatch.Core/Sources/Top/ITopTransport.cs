namespace ClusterWatch.Core.Sources.Top;

/// <summary>
/// Where a node's top runs: locally or over SSH (issue 5 implements this over a persistent SSH connection with
/// <see cref="TopCommand.RemoteScript"/>). The top source needs only a stream of top's stdout and the node's CPU count.
/// </summary>
public interface ITopTransport : IAsyncDisposable
{
    /// <summary>"local" or host:port.</summary>
    string Host { get; }

    /// <summary>Online CPUs of the node (top's Irix %CPU is per core; the %Cpu(s) line is per node).</summary>
    Task<int> GetCpuCountAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts top. Throws <see cref="NodeSourceException"/> (ToolMissing when there is no top, Down when the node
    /// can't be reached).
    /// </summary>
    Task<ITopProcess> StartAsync(TopCommand command, CancellationToken cancellationToken);
}

/// <summary>A running top: its stdout as raw bytes, its stderr so far, and its exit status once it ended.</summary>
public interface ITopProcess : IAsyncDisposable
{
    Stream Output { get; }

    /// <summary>What top wrote to stderr (bounded), e.g. "top: failed tty get".</summary>
    string StandardError { get; }

    /// <summary>Null while running.</summary>
    int? ExitCode { get; }

    /// <summary>Completes when the process has ended (its stdout may still hold unread text).</summary>
    Task Exited { get; }
}
