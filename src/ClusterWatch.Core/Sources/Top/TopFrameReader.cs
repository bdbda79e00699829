using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace ClusterWatch.Core.Sources.Top;

/// <summary>A frame's text and when its last bytes arrived (monotonic seconds).</summary>
public readonly record struct TopFrameArrival(TopFrameText Frame, double ArrivedSeconds);

/// <summary>
/// Reads frames from any stream of top output — a local process's stdout or an SSH channel — as soon as they are
/// complete (see <see cref="TopFrameSplitter"/>). A pump task reads raw chunks (pipe reads can't be cancelled, so the
/// quiet-time waits happen on a channel instead), so the reader never waits for the line that ends a frame.
/// </summary>
public sealed class TopFrameReader : IAsyncDisposable
{
    private readonly Channel<string> _chunks = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TopFrameSplitter _splitter;
    private readonly Task _pump;
    private readonly CancellationTokenSource _stop = new();
    private long _lastChunk = Stopwatch.GetTimestamp();
    private bool _eof;

    public TopFrameReader(Stream output, TopFrameSplitter? splitter = null)
    {
        _splitter = splitter ?? new TopFrameSplitter();
        _pump = Task.Run(() => PumpAsync(output, _stop.Token));
    }

    /// <summary>The next complete frame, or null when the stream has ended and nothing is left.</summary>
    public async Task<TopFrameArrival?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var quiet = _eof ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(_lastChunk);
            if (_splitter.TryTake(quiet, _eof, out var frame))
                return new TopFrameArrival(frame, _lastChunk / (double)Stopwatch.Frequency);
            if (_eof)
                return null;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_splitter.Pending)
                wait.CancelAfter(_splitter.CountedQuiet);
            try
            {
                if (!await _chunks.Reader.WaitToReadAsync(wait.Token))
                {
                    _eof = true;
                    continue;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue; // quiet time passed: ask the splitter again
            }
            while (_chunks.Reader.TryRead(out var chunk))
                _splitter.Append(chunk);
            _lastChunk = Stopwatch.GetTimestamp();
        }
    }

    private async Task PumpAsync(Stream output, CancellationToken token)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[64 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        try
        {
            int n;
            while ((n = await output.ReadAsync(bytes, token)) > 0)
            {
                var c = decoder.GetChars(bytes, 0, n, chars, 0, flush: false);
                if (c > 0)
                    _chunks.Writer.TryWrite(new string(chars, 0, c));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The process or channel went away: the end of the stream, reported as such.
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            // A pipe read that can't be cancelled ends when the process's stdout closes.
        }
        _stop.Dispose();
    }
}
