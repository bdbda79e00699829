using System.Threading.Channels;

namespace ClusterWatch.Core.Sources.Top;

/// <summary>What one frame of a run gave: a frame, or an error with its line number; and when it arrived.</summary>
internal sealed record TopOutcome(TopFrame? Frame, TopParseError? Error, double ArrivedSeconds);

/// <summary>
/// One running top and the task that reads and parses its frames as they complete. The source asks for what arrived
/// since it last asked.
/// </summary>
internal sealed class TopRun : IAsyncDisposable
{
    private readonly ITopProcess _process;
    private readonly TopFrameReader _reader;
    private readonly Channel<TopOutcome> _outcomes = Channel.CreateBounded<TopOutcome>(
        new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TopRun(ITopProcess process, int generation)
    {
        _process = process;
        Generation = generation;
        _reader = new TopFrameReader(process.Output);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    public int Generation { get; }

    /// <summary>Frames read without error in this run.</summary>
    public int GoodFrames { get; private set; }

    public ITopProcess Process => _process;

    /// <summary>Everything that arrived since the last call, waiting up to <paramref name="wait"/> for the first; Ended when the stream is over.</summary>
    public async Task<(List<TopOutcome> Outcomes, bool Ended)> NextAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var list = new List<TopOutcome>();
        while (_outcomes.Reader.TryRead(out var o))
            list.Add(o);
        if (list.Count > 0)
            return (list, false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            if (!await _outcomes.Reader.WaitToReadAsync(timeout.Token))
                return (list, true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (list, false);
        }
        while (_outcomes.Reader.TryRead(out var o))
            list.Add(o);
        return (list, false);
    }

    private async Task LoopAsync(CancellationToken token)
    {
        var parser = new TopParser();
        try
        {
            while (await _reader.ReadFrameAsync(token) is { } arrival)
            {
                var text = arrival.Frame;
                var result = parser.Parse(text.Text, text.FirstLine, Math.Max(0, text.Index));
                if (result.Errors.Count > 0)
                    _outcomes.Writer.TryWrite(new TopOutcome(null, result.Errors[0], arrival.ArrivedSeconds));
                foreach (var f in result.Frames)
                {
                    GoodFrames++;
                    _outcomes.Writer.TryWrite(new TopOutcome(f, null, arrival.ArrivedSeconds));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _outcomes.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _process.DisposeAsync();
        await _reader.DisposeAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
        }
        _stop.Dispose();
    }
}
