namespace ClusterWatch.Core.Sources.Transport;

/// <summary>
/// A read-only view of SSH.NET's channel output whose async reads run the blocking read on a dedicated thread: the
/// channel stream waits on a monitor, so an async read on the pool would hold a pool thread as long as a node is
/// silent, and a few dozen silent nodes would starve every other node's loop.
/// </summary>
internal sealed class DedicatedThreadReadStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var chunk = new byte[buffer.Length];
        var read = Task.Factory.StartNew(() => inner.Read(chunk, 0, chunk.Length), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var n = await read.WaitAsync(cancellationToken);
        chunk.AsSpan(0, n).CopyTo(buffer.Span);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
