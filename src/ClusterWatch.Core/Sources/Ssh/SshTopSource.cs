using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources.Transport;

namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>Turns one complete `top -b` frame into a snapshot (the top parser of Sources/Top plugs in here).</summary>
public interface ITopFrameParser
{
    /// <summary>The snapshot of <paramref name="frame"/>, or null when the frame can't be used (reported, skipped).</summary>
    NodeSnapshot? Parse(string frame, string node, DateTimeOffset tick, TimeSpan delay, out string? problem);
}

/// <summary>
/// The `top` source over SSH: one persistent `top -b -d SAMPLE -w 512` per node (<see cref="TopScript"/>), frames
/// cut by <see cref="TopStream"/> as soon as their rows are in. Each take returns the newest frame received since
/// the previous take. top missing → tool-missing; output that is not top's → a clear error, never zeros.
/// </summary>
public sealed class SshTopSource : INodeSource
{
    private readonly SshNodeConnection _connection;
    private readonly TimeSpan _delay;
    private readonly ITopFrameParser? _parser;
    private RemoteCommand? _remote;
    private TopStream _stream = new();
    private string? _latest;
    private DateTimeOffset _startedAt;
    private long _bytesBefore;
    private readonly TimeSpan _toolRetry;
    private NodeSourceException? _toolMissing;
    private DateTimeOffset _toolRetryAt;

    public SshTopSource(SshEndpoint endpoint, ReconnectPolicy? reconnect = null, TimeSpan? delay = null, ITopFrameParser? parser = null, TimeProvider? clock = null, TimeSpan? toolRetry = null)
    {
        _toolRetry = toolRetry ?? TimeSpan.FromMinutes(5);
        _connection = new SshNodeConnection(endpoint, reconnect ?? ReconnectPolicy.Default, clock ?? TimeProvider.System);
        _delay = delay ?? TimeSpan.FromSeconds(5);
        _parser = parser;
    }

    public string Node => _connection.Endpoint.Name;

    public string Host => _connection.Endpoint.Address;

    public string Kind => "top";

    /// <summary>top output received so far (uncompressed payload).</summary>
    public long BytesReceived => _bytesBefore + (_remote?.BytesReceived ?? 0);

    /// <summary>Complete frames received so far.</summary>
    public long Frames { get; private set; }

    public async Task<NodeSnapshot> TakeAsync(DateTimeOffset tick, CancellationToken cancellationToken)
    {
        // C22: a node without top is probed again only every few minutes, not at every tick.
        if (_toolMissing != null && DateTimeOffset.UtcNow < _toolRetryAt)
            throw new NodeSourceException(_toolMissing.State, _toolMissing.Message);
        try
        {
            var frame = await NextFrameAsync(cancellationToken);
            if (_parser == null)
                throw new NodeSourceException(NodeState.Down, $"{Node}: top frames arrive, but this build has no top frame parser wired in (Sources/Top)");
            return _parser.Parse(frame, Node, tick, _delay, out var problem)
                ?? throw new NodeSourceException(NodeState.Partial, $"{Node}: top frame skipped: {problem}");
        }
        catch (Exception e) when (e is not (OperationCanceledException or NodeSourceException or OutOfMemoryException))
        {
            await ResetAsync();
            throw new NodeSourceException(NodeState.Down, $"{Node}: connection lost ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>Reads until a frame newer than the last one taken is complete; returns the newest.</summary>
    private async Task<string> NextFrameAsync(CancellationToken ct)
    {
        var client = await _connection.GetAsync(ct);
        if (_remote is null or { HasExited: true })
        {
            await DropRemoteAsync();
            _remote = await RemoteCommand.StartAsync(client, "exec /bin/sh", TopScript.Text(_delay), ct);
            _stream = new TopStream();
            _startedAt = DateTimeOffset.UtcNow;
        }
        while (_latest == null)
        {
            ReadOnlyMemory<byte>? chunk;
            try
            {
                chunk = await _remote.ReadAvailableAsync(ct);
            }
            catch (OperationCanceledException) when (!_stream.SawHeader && _stream.Preamble.Length > 0)
            {
                throw Garbage();
            }
            if (chunk == null)
                throw await EndedAsync(_remote);
            foreach (var frame in _stream.Add(chunk.Value.Span))
            {
                Frames++;
                _latest = frame;
            }
            if (!_stream.SawHeader && (_stream.Preamble.Length >= 2048 || DateTimeOffset.UtcNow - _startedAt > _delay * 3))
                throw Garbage();
        }
        var latest = _latest;
        _latest = null;
        return latest;
    }

    private NodeSourceException Garbage()
    {
        var first = _stream.Preamble.Split('\n')[0];
        return new NodeSourceException(NodeState.Down,
            $"{Node}: `top -b` printed no frame (no line starting with 'top - '); first line: '{(first.Length > 120 ? first[..120] : first)}'");
    }

    private async Task<NodeSourceException> EndedAsync(RemoteCommand remote)
    {
        await remote.WaitExitAsync(TimeSpan.FromSeconds(1));
        var status = remote.ExitStatus;
        var err = remote.Stderr;
        await ResetAsync();
        if (status == 127)
        {
            _toolMissing = new NodeSourceException(NodeState.ToolMissing, $"{Node}: top is not installed or not in the PATH of {_connection.Endpoint.User} (exit status 127): {err}");
            _toolRetryAt = DateTimeOffset.UtcNow + _toolRetry;
            return _toolMissing;
        }
        if (!_stream.SawHeader && _stream.Preamble.Length > 0)
            return Garbage();
        return new NodeSourceException(NodeState.Down,
            $"{Node}: top ended (exit status {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}){(err.Length > 0 ? ": " + err : "")}");
    }

    private async Task ResetAsync()
    {
        await DropRemoteAsync();
        _connection.Drop();
    }

    private async Task DropRemoteAsync()
    {
        var old = _remote;
        _remote = null;
        _latest = null;
        if (old == null)
            return;
        _bytesBefore += old.BytesReceived;
        await Task.WhenAny(old.DisposeAsync().AsTask(), Task.Delay(1000));
    }

    public async ValueTask DisposeAsync()
    {
        await DropRemoteAsync();
        await _connection.DisposeAsync();
    }
}
