namespace ClusterWatch.Core.Sources.Transport;

/// <summary>
/// Moves a remote command's stdout from SSH.NET's blocking channel stream into memory on one thread of its own for
/// the command's whole life. The channel stream waits on a monitor and ignores cancellation, so a read must never
/// hold a pool thread (a few dozen silent nodes would starve every other node's loop); starting a fresh thread for
/// each read did that job but cost a thread creation per SSH packet — the largest item of the watcher's CPU profile.
/// Readers wait for bytes with a cancellable task and take everything that arrived so far in one copy.
/// </summary>
internal sealed class OutputPump
{
    private readonly Stream _source;
    private readonly object _gate = new();
    private byte[] _incoming = new byte[64 * 1024];
    private int _count;
    private bool _ended;
    private TaskCompletionSource? _waiter;

    public OutputPump(Stream source)
    {
        _source = source;
        new Thread(Run) { IsBackground = true, Name = "ssh-stdout" }.Start();
    }

    /// <summary>Bytes received so far.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>
    /// Waits until bytes are ready (true) or the stream ended with nothing left (false). A cancelled wait leaves the
    /// pump running: bytes that arrive meanwhile are kept for the next call.
    /// </summary>
    public async ValueTask<bool> WaitAsync(CancellationToken ct)
    {
        Task wait;
        lock (_gate)
        {
            if (_count > 0)
                return true;
            if (_ended)
                return false;
            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiter.Task;
        }
        await wait.WaitAsync(ct);
        lock (_gate)
            return _count > 0 || !_ended;
    }

    /// <summary>Appends every byte received so far to <paramref name="buffer"/> at <paramref name="end"/> (growing it); returns how many.</summary>
    public int TakeInto(ref byte[] buffer, ref int end)
    {
        lock (_gate)
        {
            if (end + _count > buffer.Length)
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, end + _count));
            Buffer.BlockCopy(_incoming, 0, buffer, end, _count);
            end += _count;
            var n = _count;
            _count = 0;
            return n;
        }
    }

    /// <summary>Copies up to <paramref name="destination"/>.Length received bytes out; returns how many.</summary>
    public int TakeInto(Span<byte> destination)
    {
        lock (_gate)
        {
            var n = Math.Min(_count, destination.Length);
            _incoming.AsSpan(0, n).CopyTo(destination);
            Buffer.BlockCopy(_incoming, n, _incoming, 0, _count - n);
            _count -= n;
            return n;
        }
    }

    private void Run()
    {
        var chunk = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = _source.Read(chunk, 0, chunk.Length)) > 0)
            {
                TaskCompletionSource? wake;
                lock (_gate)
                {
                    if (_count + n > _incoming.Length)
                        Array.Resize(ref _incoming, Math.Max(_incoming.Length * 2, _count + n));
                    Buffer.BlockCopy(chunk, 0, _incoming, _count, n);
                    _count += n;
                    BytesReceived += n;
                    wake = _waiter;
                    _waiter = null;
                }
                wake?.TrySetResult();
            }
        }
        catch (Exception)
        {
            // The channel or the connection is gone: readers see the end of the stream, the command its exit.
        }
        finally
        {
            TaskCompletionSource? wake;
            lock (_gate)
            {
                _ended = true;
                wake = _waiter;
                _waiter = null;
            }
            wake?.TrySetResult();
        }
    }
}

/// <summary>A read-only stream over an <see cref="OutputPump"/> (for readers of their own, e.g. top's frame reader).</summary>
internal sealed class OutputPumpStream(OutputPump pump) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.IsEmpty || !await pump.WaitAsync(cancellationToken) ? 0 : pump.TakeInto(buffer.Span);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
