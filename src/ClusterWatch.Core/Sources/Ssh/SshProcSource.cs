using System.Text;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources.Transport;

namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>
/// The `proc` source over SSH: one persistent connection, one long-running <see cref="ProcScript"/> per node. At each
/// tick it asks for a snapshot ("s N"), asks for the real uid of pids it has not seen ("u N …"), and builds the same
/// <see cref="NodeSnapshot"/> the local source builds, timed by the node's own /proc/uptime. A cancelled take (the
/// watcher's per-sample timeout) leaves the script running; its late answer is skipped by number. Two timeouts in a
/// row, or any transport error, drop the connection; the next take reconnects (with back-off and a host key check).
/// </summary>
public sealed class SshProcSource : INodeSource
{
    private readonly SshNodeConnection _connection;
    private readonly TimeProvider _clock;
    private readonly SshUserNames _users = new();
    private readonly List<RemoteStat> _stats = new();
    private Dictionary<(int Pid, long Start), int> _uids = new();
    private Dictionary<(int Pid, long Start), int> _nextUids = new();
    private readonly Dictionary<int, int> _answer = new();
    private RawProcess[] _processes = [];
    private RemoteCommand? _remote;
    private ProcHeader? _header;
    private int _seq;
    private int _timeouts;
    private long _bytesBefore;

    public SshProcSource(SshEndpoint endpoint, ReconnectPolicy? reconnect = null, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _connection = new SshNodeConnection(endpoint, reconnect ?? ReconnectPolicy.Default, _clock);
    }

    public string Node => _connection.Endpoint.Name;

    public string Host => _connection.Endpoint.Address;

    public string Kind => "proc";

    /// <summary>Script output received so far, all connections (uncompressed payload).</summary>
    public long BytesReceived => _bytesBefore + (_remote?.BytesReceived ?? 0);

    /// <summary>Snapshots answered.</summary>
    public long Samples { get; private set; }

    /// <summary>Successful connects (1 + reconnects).</summary>
    public int Connects => _connection.Connects;

    public async Task<NodeSnapshot> TakeAsync(DateTimeOffset tick, CancellationToken cancellationToken)
    {
        try
        {
            var snap = await TakeCoreAsync(tick, cancellationToken);
            _timeouts = 0;
            Samples++;
            return snap;
        }
        catch (OperationCanceledException)
        {
            // A slow answer is skipped by its number next time; a node that stays silent is reconnected.
            if (++_timeouts >= 2)
                await ResetAsync();
            throw;
        }
        catch (NodeSourceException)
        {
            await ResetAsync();
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await ResetAsync();
            throw new NodeSourceException(NodeState.Down, $"{Node}: connection lost ({e.GetType().Name}: {e.Message})", e);
        }
    }

    private async Task<NodeSnapshot> TakeCoreAsync(DateTimeOffset tick, CancellationToken ct)
    {
        var client = await _connection.GetAsync(ct);
        var remote = await StartAsync(client, ct);
        var header = _header!;
        var seq = ++_seq;
        await remote.WriteAsync($"s {seq}\n", ct);
        var block = await remote.ReadUntilLineAsync(End(seq), ct) ?? throw await EndedAsync(remote);
        if (!SshProcParser.TryParseSnapshot(SshProcParser.Body(block.Span, seq), out var totals, _stats, out var unreadable))
            throw new NodeSourceException(NodeState.Partial, $"{Node}: the node's /proc/uptime, /proc/stat or /proc/meminfo could not be read");
        await ResolveUidsAsync(remote, ct);
        await _users.EnsureAsync(client, _nextUids.Values, _clock.GetUtcNow(), ct);
        if (_processes.Length < _stats.Count)
            _processes = new RawProcess[_stats.Count + 64];
        for (var i = 0; i < _stats.Count; i++)
        {
            var (s, comm) = _stats[i];
            var uid = _nextUids.TryGetValue((s.Pid, s.StartTicks), out var u) ? u : -1;
            _processes[i] = new RawProcess(
                s.Pid, s.ParentPid, s.StartTicks, uid, _users.Name(uid), comm, s.State,
                (s.UTime + s.STime) / header.ClockTicksPerSecond, (s.CUTime + s.CSTime) / header.ClockTicksPerSecond,
                s.RssPages * header.PageSize);
        }
        // Only this snapshot's processes stay cached: the map never outgrows the node's process table.
        (_uids, _nextUids) = (_nextUids, _uids);
        var partial = (header.HidePid && header.Uid != 0) || unreadable > 0;
        return new NodeSnapshot(
            Node, header.BootId, tick, totals.UptimeSeconds, header.CpuCount,
            totals.Cpu.Busy / header.ClockTicksPerSecond, totals.Cpu.Total / header.ClockTicksPerSecond,
            totals.MemTotalBytes, totals.MemAvailableBytes, _processes, _stats.Count,
            partial ? SampleFlags.Partial : SampleFlags.None, ClockTicksPerSecond: header.ClockTicksPerSecond);
    }

    /// <summary>Known processes keep their cached uid; new ones are asked for in one request.</summary>
    private async Task ResolveUidsAsync(RemoteCommand remote, CancellationToken ct)
    {
        _nextUids.Clear();
        var ask = new List<int>();
        foreach (var (s, _) in _stats)
        {
            if (_uids.TryGetValue((s.Pid, s.StartTicks), out var uid))
                _nextUids[(s.Pid, s.StartTicks)] = uid;
            else
                ask.Add(s.Pid);
        }
        if (ask.Count > 0)
        {
            var seq = ++_seq;
            await remote.WriteAsync($"u {seq} {string.Join(' ', ask)}\n", ct);
            var block = await remote.ReadUntilLineAsync(End(seq), ct) ?? throw await EndedAsync(remote);
            _answer.Clear();
            SshProcParser.ParseUids(SshProcParser.Body(block.Span, seq), ask.Count == 1 ? ask[0] : -1, _answer);
            foreach (var (s, _) in _stats)
                if (!_nextUids.ContainsKey((s.Pid, s.StartTicks)) && _answer.TryGetValue(s.Pid, out var uid))
                    _nextUids[(s.Pid, s.StartTicks)] = uid;
        }
    }

    private async Task<RemoteCommand> StartAsync(Renci.SshNet.SshClient client, CancellationToken ct)
    {
        if (_remote is { HasExited: false } && _header != null)
            return _remote;
        var remote = _remote;
        if (remote is null or { HasExited: true })
        {
            await DropRemoteAsync();
            // The login shell only runs `exec /bin/sh`; the script comes on stdin, so csh or fish logins work too.
            remote = await RemoteCommand.StartAsync(client, "exec /bin/sh", ProcScript.Text, ct);
            _remote = remote;
        }
        // A header read that timed out resumes here: the bytes read so far stay in the command's buffer.
        var block = await remote.ReadUntilLineAsync(End(0), ct) ?? throw await EndedAsync(remote);
        _header = SshProcParser.ParseHeader(SshProcParser.Body(block.Span, 0));
        _seq = 0;
        return remote;
    }

    private async Task<NodeSourceException> EndedAsync(RemoteCommand remote)
    {
        await remote.WaitExitAsync(TimeSpan.FromSeconds(1));
        var err = remote.Stderr;
        return new NodeSourceException(NodeState.Down,
            $"{Node}: the remote proc script ended (exit status {remote.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}){(err.Length > 0 ? ": " + err : "")}");
    }

    private async Task ResetAsync()
    {
        _timeouts = 0;
        await DropRemoteAsync();
        _connection.Drop();
    }

    private async Task DropRemoteAsync()
    {
        var old = _remote;
        _remote = null;
        _header = null;
        if (old == null)
            return;
        _bytesBefore += old.BytesReceived;
        await Task.WhenAny(old.DisposeAsync().AsTask(), Task.Delay(1000));
    }

    private static byte[] End(int seq) => Encoding.ASCII.GetBytes($"E {seq}");

    public async ValueTask DisposeAsync()
    {
        await DropRemoteAsync();
        await _connection.DisposeAsync();
    }
}
