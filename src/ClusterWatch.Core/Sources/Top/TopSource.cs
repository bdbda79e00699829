using System.Globalization;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Watching;

namespace ClusterWatch.Core.Sources.Top;

/// <summary>
/// The `top` source: one persistent `top -b -d SAMPLE -w 512` per node (never one `top -n 1` per sample, which would
/// measure a fraction of a second and miss short-lived processes). Each tick takes the newest frame that completed
/// since the last one; a run's first frame only sets the baseline. A frame that can't be read is reported with its
/// line number and skipped, never stored as numbers. Works over any <see cref="ITopTransport"/>.
/// </summary>
public sealed class TopSource : INodeSource
{
    private readonly ITopTransport _transport;
    private readonly int _sampleSeconds;
    private readonly IWatchReporter? _reporter;
    private readonly string _locale;
    private TopRun? _run;
    private int _generation;
    private int _cpuCount;
    private TopCpuScale _scale = TopCpuScale.Irix;
    private int _votes;
    private TopWidthMode _width = TopWidthMode.Flag;
    private (TopFrame Frame, double Arrived, int Generation)? _latest;

    public TopSource(string node, ITopTransport transport, int sampleSeconds, IWatchReporter? reporter = null, string? locale = null)
    {
        Node = node;
        _transport = transport;
        _sampleSeconds = Math.Max(1, sampleSeconds);
        _reporter = reporter;
        _locale = locale ?? LocalTopTransport.PickLocale();
    }

    public string Node { get; }

    public string Host => _transport.Host;

    public string Kind => "top";

    /// <summary>The %CPU scale in use (Irix unless a frame showed Solaris mode).</summary>
    public TopCpuScale Scale => _scale;

    public async Task<NodeSnapshot> TakeAsync(DateTimeOffset tick, CancellationToken cancellationToken)
    {
        if (_cpuCount == 0)
            _cpuCount = await _transport.GetCpuCountAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            _run ??= await StartAsync(cancellationToken);
            var (outcomes, ended) = await _run.NextAsync(TimeSpan.FromSeconds(_sampleSeconds * 0.8), cancellationToken);
            if (outcomes.Count > 0)
                return Use(outcomes, tick);
            if (!ended)
                return Repeat(tick);
            var run = _run;
            _run = null;
            var failure = await EndedAsync(run);
            if (failure == null && attempt == 0)
                continue; // -w was refused: started again with COLUMNS
            throw failure!;
        }
    }

    private async Task<TopRun> StartAsync(CancellationToken cancellationToken)
    {
        var command = new TopCommand(_sampleSeconds, _width, _locale);
        var process = await _transport.StartAsync(command, cancellationToken);
        return new TopRun(process, ++_generation);
    }

    private NodeSnapshot Use(List<TopOutcome> outcomes, DateTimeOffset tick)
    {
        var newest = outcomes[^1];
        foreach (var o in outcomes.Take(outcomes.Count - 1))
            if (o.Error != null)
                _reporter?.Problem(Node, $"top frame skipped: {o.Error}");
        if (newest.Error is { } error)
        {
            var state = _run!.GoodFrames == 0 && error.Code == TopCodes.NoTopOutput ? NodeState.ToolMissing : NodeState.Partial;
            throw new NodeSourceException(state, $"top output not understood, frame skipped: {error}");
        }
        var frame = newest.Frame!;
        var previous = _latest is { } l && l.Generation == _run!.Generation ? l : default((TopFrame Frame, double Arrived, int Generation)?);
        var interval = previous is { } p ? newest.ArrivedSeconds - p.Arrived : 0;
        if (frame.UseForCpu)
            Vote(TopCpuScales.Detect(frame, _cpuCount, previous?.Frame, interval), frame);
        _latest = (frame, newest.ArrivedSeconds, _run!.Generation);
        return Map(frame, tick, newest.ArrivedSeconds, noCpu: false);
    }

    /// <summary>
    /// Switches the %CPU scale only on firm evidence: a value above 100 proves Irix at once; otherwise five frames in
    /// a row must agree (one frame's timing on a loaded machine can mislead).
    /// </summary>
    private void Vote(TopCpuScale? vote, TopFrame frame)
    {
        const int Needed = 5;
        if (vote is not { } v)
            return;
        _votes = v == _scale ? 0 : _votes + 1;
        var proof = v == TopCpuScale.Irix && frame.Rows.Any(r => r.CpuPct > 100.05);
        if (v != _scale && (proof || _votes >= Needed))
        {
            _reporter?.Debug($"{Node}: top shows %CPU in {v} mode");
            _scale = v;
            _votes = 0;
        }
    }

    /// <summary>
    /// No new frame this tick (top's delay drifts by its own frame time, so now and then a tick falls between two
    /// frames): the last frame again, flagged NoCpu so nothing is counted twice; the node stays up.
    /// </summary>
    private NodeSnapshot Repeat(DateTimeOffset tick)
    {
        var stale = Math.Max(3 * _sampleSeconds, 5);
        if (_latest is not { } last || last.Generation != _run!.Generation
            || System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency - last.Arrived > stale)
            throw new NodeSourceException(NodeState.Down, $"top printed no complete frame within {_sampleSeconds * 0.8:0.#} s");
        return Map(last.Frame, tick, last.Arrived, noCpu: true);
    }

    private NodeSnapshot Map(TopFrame frame, DateTimeOffset tick, double arrived, bool noCpu) =>
        TopSnapshotMapper.ToSnapshot(frame, new TopFrameContext(
            Node, "top-run-" + _generation.ToString(CultureInfo.InvariantCulture), tick, arrived, _cpuCount, _scale, noCpu));

    /// <summary>top ended: null when it only refused -w (start again with COLUMNS), else the exception to throw.</summary>
    private async Task<NodeSourceException?> EndedAsync(TopRun run)
    {
        await run.Process.Exited.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
        var stderr = run.Process.StandardError;
        var code = run.Process.ExitCode;
        var good = run.GoodFrames;
        await run.DisposeAsync();
        if (good == 0 && _width == TopWidthMode.Flag && stderr.Contains("option", StringComparison.OrdinalIgnoreCase))
        {
            _width = TopWidthMode.ColumnsVariable;
            _reporter?.Debug($"{Node}: top refused -w ({stderr}); using COLUMNS={TopCommand.Columns}");
            return null;
        }
        var what = $"top exited{(code is { } c ? $" with status {c}" : "")}{(stderr.Length > 0 ? $": {stderr}" : " (no message)")}";
        return good == 0
            ? new NodeSourceException(NodeState.ToolMissing, $"{what}; it printed no top output")
            : new NodeSourceException(NodeState.Down, what + "; it will be started again");
    }

    public async ValueTask DisposeAsync()
    {
        if (_run != null)
            await _run.DisposeAsync();
        _run = null;
        await _transport.DisposeAsync();
    }
}
