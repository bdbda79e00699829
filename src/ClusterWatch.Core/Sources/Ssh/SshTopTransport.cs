using System.Globalization;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.Core.Sources.Transport;

namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>
/// Runs the top source's persistent `top -b` on a node over its one SSH connection (the top source of Sources/Top
/// does the frame reading and parsing). The login shell only runs `exec /bin/sh`; the script — a `command -v top`
/// check (exit 127 with a clear message when top is missing, C22), then <see cref="TopCommand.RemoteScript"/> with
/// its private HOME and pinned locale — comes on stdin, so csh or fish logins work and no pty is asked for (C21).
/// A node without top is not probed again for <c>toolRetry</c> (default 5 minutes): no retry storm.
/// </summary>
public sealed class SshTopTransport : ITopTransport
{
    private readonly SshNodeConnection _connection;
    private readonly TimeSpan _toolRetry;
    private SshTopProcess? _current;
    private NodeSourceException? _toolMissing;
    private DateTimeOffset _toolRetryAt;

    public SshTopTransport(SshEndpoint endpoint, ReconnectPolicy? reconnect = null, TimeSpan? toolRetry = null, TimeProvider? clock = null)
    {
        _connection = new SshNodeConnection(endpoint, reconnect ?? ReconnectPolicy.Default, clock ?? TimeProvider.System);
        _toolRetry = toolRetry ?? TimeSpan.FromMinutes(5);
    }

    public string Host => _connection.Endpoint.Address;

    /// <summary>Bytes of top output received so far (payload).</summary>
    public long BytesReceived => _current?.Bytes ?? 0;

    public async Task<int> GetCpuCountAsync(CancellationToken cancellationToken)
    {
        var client = await _connection.GetAsync(cancellationToken);
        using var cmd = client.CreateCommand("getconf _NPROCESSORS_ONLN");
        await cmd.ExecuteAsync(cancellationToken);
        return int.TryParse(cmd.Result.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
    }

    public async Task<ITopProcess> StartAsync(TopCommand command, CancellationToken cancellationToken)
    {
        if (_current is { } previous)
        {
            _current = null;
            if (previous.ExitCode == 127)
            {
                _toolMissing = new NodeSourceException(NodeState.ToolMissing,
                    $"{_connection.Endpoint.Name}: top is not installed or not in the PATH of {_connection.Endpoint.User} (exit status 127): {previous.StandardError}");
                _toolRetryAt = DateTimeOffset.UtcNow + _toolRetry;
            }
            await previous.DisposeAsync();
            if (previous.ExitCode == null || previous.Dropped)
                _connection.Drop();
        }
        if (_toolMissing != null && DateTimeOffset.UtcNow < _toolRetryAt)
            throw new NodeSourceException(_toolMissing.State, _toolMissing.Message);
        _toolMissing = null;
        var client = await _connection.GetAsync(cancellationToken);
        var script = "command -v top >/dev/null 2>&1 || { echo \"top: command not found (PATH=$PATH)\" >&2; exit 127; }\n"
            + command.RemoteScript() + "\nexit $?\n"; // sh reads its script from stdin: without exit it would wait for more
        try
        {
            var remote = await RemoteCommand.StartAsync(client, "exec /bin/sh", script, cancellationToken);
            _current = new SshTopProcess(remote);
            return _current;
        }
        catch (Exception e) when (e is not (OperationCanceledException or NodeSourceException))
        {
            _connection.Drop();
            throw new NodeSourceException(NodeState.Down, $"{_connection.Endpoint.Name}: cannot start top: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_current != null)
            await _current.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private sealed class SshTopProcess(RemoteCommand remote) : ITopProcess
    {
        public Stream Output { get; } = remote.Output;

        public string StandardError => remote.Stderr;

        public int? ExitCode => remote.ExitStatus;

        public Task Exited => remote.Execution;

        public long Bytes => remote.BytesReceived;

        public bool Dropped => remote.Execution.IsFaulted;

        public async ValueTask DisposeAsync() => await Task.WhenAny(remote.DisposeAsync().AsTask(), Task.Delay(1000));
    }
}
