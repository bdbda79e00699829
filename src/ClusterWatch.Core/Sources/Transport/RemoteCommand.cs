using System.Text;
using Renci.SshNet;

namespace ClusterWatch.Core.Sources.Transport;

/// <summary>
/// One long-running command on a node's persistent connection: lines go to its stdin, its stdout is read as raw
/// chunks into one growing buffer and cut at marker lines (never line by line through a reader, which would wait
/// for a newline top only writes when its next frame starts). stderr is kept (the last 4 KiB) for error messages.
/// </summary>
public sealed class RemoteCommand : IAsyncDisposable
{
    private readonly SshCommand _command;
    private readonly Stream _stdin;
    private readonly OutputPump _stdout;
    private readonly Task _execution;
    private readonly Task _stderrPump;
    private readonly StringBuilder _stderr = new();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RemoteCommand(SshCommand command, Task execution)
    {
        _command = command;
        _execution = execution;
        _stdin = command.CreateInputStream();
        _stdout = new OutputPump(command.OutputStream);
        _stderrPump = Task.Factory.StartNew(
            () => PumpStderr(command.ExtendedOutputStream), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Bytes of stdout received so far (payload, before SSH framing and compression).</summary>
    public long BytesReceived => _stdout.BytesReceived;

    /// <summary>stdout as a stream whose reads never hold a pool thread (for readers of their own, e.g. top's).</summary>
    public Stream Output => new OutputPumpStream(_stdout);

    /// <summary>Completes when the remote command has ended.</summary>
    public Task Execution => _execution;

    /// <summary>True once the remote command has ended.</summary>
    public bool HasExited => _execution.IsCompleted;

    /// <summary>The exit status once ended (null while running or when killed by a signal).</summary>
    public int? ExitStatus => _execution.IsCompleted ? _command.ExitStatus : null;

    /// <summary>What the command wrote to stderr (last 4 KiB).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString().Trim();
        }
    }

    /// <summary>Starts <paramref name="commandText"/> (run by the login shell) and writes <paramref name="stdinPrelude"/> to it.</summary>
    public static async Task<RemoteCommand> StartAsync(SshClient client, string commandText, string? stdinPrelude, CancellationToken ct)
    {
        var command = client.CreateCommand(commandText);
        var execution = command.ExecuteAsync(CancellationToken.None);
        var remote = new RemoteCommand(command, execution);
        if (stdinPrelude != null)
            await remote.WriteAsync(stdinPrelude, ct);
        return remote;
    }

    public async Task WriteAsync(string text, CancellationToken ct)
    {
        await _stdin.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await _stdin.FlushAsync(ct);
    }

    /// <summary>
    /// Reads until a line equal to <paramref name="endLine"/> and returns everything before it (the end line and its
    /// newline are consumed). Returns null when the command ended first. The memory is valid until the next read.
    /// </summary>
    public async Task<ReadOnlyMemory<byte>?> ReadUntilLineAsync(byte[] endLine, CancellationToken ct)
    {
        var searched = 0; // relative to _start, which compaction may move
        while (true)
        {
            var at = FindLine(_buffer.AsSpan(_start, _end - _start), endLine, Math.Max(0, searched - endLine.Length - 1));
            if (at >= 0)
            {
                var block = new ReadOnlyMemory<byte>(_buffer, _start, at);
                _start += at + endLine.Length + 1;
                return block;
            }
            searched = _end - _start;
            if (!await FillAsync(ct))
                return null;
        }
    }

    /// <summary>Waits for the next bytes of stdout and returns everything unread (null when the command ended).</summary>
    public async Task<ReadOnlyMemory<byte>?> ReadAvailableAsync(CancellationToken ct)
    {
        if (_start == _end && !await FillAsync(ct))
            return null;
        var chunk = new ReadOnlyMemory<byte>(_buffer, _start, _end - _start);
        _start = _end;
        return chunk;
    }

    /// <summary>Waits up to <paramref name="wait"/> for the command to end (after its stdout closed).</summary>
    public async Task<bool> WaitExitAsync(TimeSpan wait)
    {
        var done = await Task.WhenAny(_execution, Task.Delay(wait));
        if (done == _execution)
            await Task.WhenAny(_stderrPump, Task.Delay(wait));
        return done == _execution;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _stdin.Dispose();
            if (!_execution.IsCompleted)
                _command.CancelAsync(forceKill: true, millisecondsTimeout: 200);
        }
        catch (Exception)
        {
            // The connection may already be gone; disposing must never throw on a dead node.
        }
        await Task.WhenAny(_execution, Task.Delay(500));
        _command.Dispose();
    }

    /// <summary>Offset of a line equal to <paramref name="line"/> (at the start or after a newline, followed by a newline), or -1.</summary>
    internal static int FindLine(ReadOnlySpan<byte> data, ReadOnlySpan<byte> line, int from)
    {
        while (from <= data.Length - line.Length - 1)
        {
            var i = data[from..].IndexOf(line);
            if (i < 0)
                return -1;
            var at = from + i;
            var atLineStart = at == 0 || data[at - 1] == (byte)'\n';
            if (atLineStart && at + line.Length < data.Length && data[at + line.Length] == (byte)'\n')
                return at;
            from = at + 1;
        }
        return -1;
    }

    /// <summary>
    /// Waits for more of stdout and appends it to the buffer (false when the command ended). The blocking channel
    /// reads happen on the pump's own thread (<see cref="OutputPump"/>): a hung node costs the caller its timeout,
    /// never a stuck loop or a starved pool, and bytes that arrive after a timeout are kept for the next call.
    /// </summary>
    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (!await _stdout.WaitAsync(ct))
            return false;
        if (_start > 0 && _start == _end)
            _start = _end = 0;
        if (_start > _buffer.Length / 2)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        _stdout.TakeInto(ref _buffer, ref _end);
        return true;
    }

    /// <summary>Blocking, on its own thread (like <see cref="OutputPump"/>); ends when the channel closes.</summary>
    private void PumpStderr(Stream stderr)
    {
        var buf = new byte[4096];
        try
        {
            int n;
            while ((n = stderr.Read(buf, 0, buf.Length)) > 0)
            {
                lock (_stderr)
                {
                    _stderr.Append(Encoding.UTF8.GetString(buf, 0, n));
                    if (_stderr.Length > 4096)
                        _stderr.Remove(0, _stderr.Length - 4096);
                }
            }
        }
        catch (Exception)
        {
            // Ends with the channel; what was read so far is kept.
        }
    }
}
