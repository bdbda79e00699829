using ClusterWatch.Core.Model;
using Renci.SshNet;

namespace ClusterWatch.Core.Sources.Transport;

/// <summary>When to try again after a failed connect: first delay, doubling, capped (C25: 5 s, 10 s, 20 s … 60 s).</summary>
public sealed record ReconnectPolicy(TimeSpan First, TimeSpan Max)
{
    public static ReconnectPolicy Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
}

/// <summary>
/// A node's one persistent SSH connection. Connects lazily (with a fresh host key check every time), and after a
/// failed connect refuses to try again before the back-off delay: the node loop gets the last error at once instead
/// of a reconnect storm. A dropped connection is retried at the next tick; disposal of a dead one never blocks.
/// </summary>
public sealed class SshNodeConnection : IAsyncDisposable
{
    private readonly ReconnectPolicy _policy;
    private readonly TimeProvider _clock;
    private SshClient? _client;
    private Task<SshClient?>? _connecting;
    private int _failures;
    private DateTimeOffset _retryAt;
    private NodeSourceException? _lastError;

    public SshNodeConnection(SshEndpoint endpoint, ReconnectPolicy policy, TimeProvider clock)
    {
        Endpoint = endpoint;
        _policy = policy;
        _clock = clock;
    }

    public SshEndpoint Endpoint { get; }

    /// <summary>Connects that succeeded (the first included).</summary>
    public int Connects { get; private set; }

    /// <summary>
    /// The connected client, connecting first if needed. The connect runs on its own (bounded by the connect
    /// timeout, not by <paramref name="ct"/>): a sample that times out while a slow node is still connecting leaves
    /// the connect going, and a later tick picks up its result.
    /// </summary>
    public async Task<SshClient> GetAsync(CancellationToken ct)
    {
        if (_client is { IsConnected: true })
            return _client;
        if (_connecting == null)
        {
            Drop();
            var now = _clock.GetUtcNow();
            if (_lastError != null && now < _retryAt)
                throw new NodeSourceException(_lastError.State, $"{_lastError.Message} (next try in {Math.Ceiling((_retryAt - now).TotalSeconds):0} s)");
            _connecting = ConnectAsync();
        }
        var connecting = _connecting;
        await connecting.WaitAsync(ct);
        _connecting = null;
        var client = await connecting;
        if (client == null)
            throw _lastError!;
        _client = client;
        return client;
    }

    private async Task<SshClient?> ConnectAsync()
    {
        using var timeout = new CancellationTokenSource(Endpoint.ConnectTimeout * 2);
        try
        {
            var client = await SshConnector.ConnectAsync(Endpoint, timeout.Token);
            _failures = 0;
            _lastError = null;
            Connects++;
            return client;
        }
        catch (NodeSourceException e)
        {
            Failed(e);
        }
        catch (OperationCanceledException)
        {
            Failed(new NodeSourceException(NodeState.Down, $"{Endpoint.Name}: no SSH answer from {Endpoint.Address} within {Endpoint.ConnectTimeout.TotalSeconds:0.#} s"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failed(new NodeSourceException(NodeState.Down, $"{Endpoint.Name}: cannot connect to {Endpoint.Address}: {e.Message}", e));
        }
        return null;
    }

    /// <summary>Forgets the current connection (closed in the background: a hung node must not block the caller).</summary>
    public void Drop()
    {
        var old = _client;
        _client = null;
        if (old != null)
            _ = Task.Run(old.Dispose);
    }

    public ValueTask DisposeAsync()
    {
        var old = _client;
        _client = null;
        if (old != null)
            _ = Task.WhenAny(Task.Run(old.Dispose), Task.Delay(2000));
        return ValueTask.CompletedTask;
    }

    private void Failed(NodeSourceException e)
    {
        _failures++;
        _lastError = e;
        _retryAt = _clock.GetUtcNow() + Backoff.Delay(_failures, _policy.First, _policy.Max);
    }
}
