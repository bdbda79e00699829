using System.Diagnostics;
using System.Globalization;
using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sampling;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Core.Watching;

/// <summary>
/// The main job: one loop per node, driven by the injected clock (ticks at UTC multiples of the sample interval).
/// A failing node never stops the others. Samples are numbered when taken, written one transaction each, and fed to
/// the window aggregator; at stop the partial window and cycle are written.
/// </summary>
public sealed class Watcher
{
    private readonly IReadOnlyList<INodeSource> _sources;
    private readonly IUsageStore _store;
    private readonly WatchOptions _options;
    private readonly TimeProvider _clock;
    private readonly LiveState _live;
    private readonly IWatchReporter _report;
    private readonly WindowAggregator _aggregator;
    private readonly object _aggLock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<WindowRow>> _lastWindows = new(StringComparer.Ordinal);
    private long _rowsWritten;
    private long _writeErrors;
    private long _negativeResidue; // samples since the last status line whose users add up to more than the node's busy CPU
    private DateTimeOffset _statusPrintedUntil; // end of the last window whose status line the status loop printed

    public Watcher(IReadOnlyList<INodeSource> sources, IUsageStore store, WatchOptions options, TimeProvider clock, LiveState live, IWatchReporter report)
    {
        _sources = sources;
        _store = store;
        _options = options;
        _clock = clock;
        _live = live;
        _report = report;
        _aggregator = new WindowAggregator(options.Sample, options.Window, options.Cycle);
    }

    /// <summary>Rows written so far (samples, users, processes, windows, history).</summary>
    public long RowsWritten => Interlocked.Read(ref _rowsWritten);

    /// <summary>Runs until <paramref name="stop"/> or the configured duration; always writes the partial window and cycle.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var duration = _options.Duration is { } d ? new CancellationTokenSource(d, _clock) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, duration.Token);
        var token = linked.Token;
        foreach (var s in _sources)
            await ResumeAsync(s.Node, stop);
        var loops = _sources.Select(s => NodeLoopAsync(s, token)).ToList();
        loops.Add(StatusLoopAsync(token));
        loops.Add(PruneLoopAsync(token));
        await Task.WhenAll(loops);
        // A stop that comes after a window closed but before its status line was due (the line waits a moment for the
        // nodes' last samples) — e.g. --duration ending on a window boundary — still prints that window's line.
        if (_lastWindows.Values.SelectMany(rows => rows).Select(r => r.End).DefaultIfEmpty().Max() is var closed && closed > _statusPrintedUntil)
            _report.Status(StatusLine(closed - _options.Window, closed));
        AggregationOutput rest;
        lock (_aggLock)
            rest = _aggregator.Flush();
        await WriteAggregatesAsync(rest, CancellationToken.None);
        if (rest.Windows.Count > 0)
        {
            var start = rest.Windows.Min(r => r.Start);
            _report.Status(StatusLine(start, _clock.GetUtcNow()) + " (partial window at stop)");
        }
    }

    /// <summary>A restart inside a window or cycle reloads its stored samples, so those rows are completed, not duplicated.</summary>
    private async Task ResumeAsync(string node, CancellationToken token)
    {
        var now = _clock.GetUtcNow();
        var cycleStart = WindowMath.PeriodStart(Ticks.Next(now, _options.Sample), _options.Cycle);
        var stored = await _store.LoadSamplesAsync(node, cycleStart + TimeSpan.FromTicks(1), now + _options.Sample, token);
        lock (_aggLock)
            foreach (var s in stored)
                _aggregator.Add(s);
        if (stored.Count > 0)
            _report.Debug($"{node}: resumed {stored.Count} stored samples of the open cycle");
    }

    private async Task NodeLoopAsync(INodeSource source, CancellationToken token)
    {
        var tracker = new CpuDeltaTracker();
        var live = _live.Node(source.Node, source.Host, source.Kind);
        long seq;
        try
        {
            seq = await _store.GetLastSeqAsync(source.Node, token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        NodeState? lastState = null;
        var timeout = _options.SampleTimeout ?? _options.Sample;
        var lastTick = DateTimeOffset.MinValue;
        while (!token.IsCancellationRequested)
        {
            // The next tick after now and after the last one sampled: a timer may wake a few ms before the wall clock
            // reaches the tick (seen here: 10-30 ms, so a fast sample ended before its own tick and the same tick was
            // sampled again, 10 ms later — a second row at that time doubled the charts).
            var now = _clock.GetUtcNow();
            var tick = lastTick = Ticks.Next(now > lastTick ? now : lastTick, _options.Sample);
            if (!await DelayUntilAsync(tick, token))
                break;
            if (!_store.Watches(source.Node))
            {
                _report.Problem(source.Node, "no longer sampled here: another watcher took it over (see above)");
                break;
            }
            var watch = Stopwatch.StartNew();
            NodeState state;
            string? error = null;
            try
            {
                using var perSample = CancellationTokenSource.CreateLinkedTokenSource(token);
                perSample.CancelAfter(timeout);
                var snap = await source.TakeAsync(tick, perSample.Token);
                state = snap.Flags.HasFlag(SampleFlags.Partial) ? NodeState.Partial : NodeState.Up;
                var sample = tracker.Update(snap);
                if (sample != null)
                {
                    sample = sample with { Seq = ++seq };
                    if (sample.Flags.HasFlag(SampleFlags.NegativeResidue))
                        Interlocked.Increment(ref _negativeResidue);
                    live.RecordSuccess(sample, watch.Elapsed.TotalSeconds, snap.VanishedCount);
                    await StoreAsync(sample, token);
                }
                // Written on change, and once per window so last_seen_ts follows the node.
                if (lastState != state || state != NodeState.Up || tick.UtcTicks % _options.Window.Ticks == 0)
                    await UpsertNodeAsync(new NodeStatus(source.Node, source.Host, source.Kind, state, tick, null, snap.CpuCount, snap.MemTotalBytes), token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever one node throws, the others go on: the node is marked and retried at the next tick.
                state = e is NodeSourceException ne ? ne.State : NodeState.Down;
                error = e switch
                {
                    OperationCanceledException => $"no answer within {timeout.TotalSeconds:0.#} s",
                    NodeSourceException or IOException => e.Message,
                    _ => $"{e.GetType().Name}: {e.Message}",
                };
                live.RecordFailure(watch.Elapsed.TotalSeconds);
                if (lastState != state)
                    _report.Problem(source.Node, $"{state.ToText()}: {error}");
                await UpsertNodeAsync(new NodeStatus(source.Node, source.Host, source.Kind, state, tick, error), token);
            }
            lastState = state;
            live.Status = new NodeStatus(source.Node, source.Host, source.Kind, state, tick, error);
            AggregationOutput closed;
            lock (_aggLock)
                closed = _aggregator.Advance(source.Node, tick);
            await WriteAggregatesAsync(closed, token);
        }
    }

    private async Task StoreAsync(NodeSample fullSample, CancellationToken token)
    {
        var stored = fullSample with
        {
            Processes = VolumeFilter.Apply(fullSample.Processes, _options.TopByMemory, _options.AllProcesses),
        };
        try
        {
            await _store.WriteSampleAsync(stored, token);
            Interlocked.Add(ref _rowsWritten, 1 + stored.Users.Count + stored.Processes.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interlocked.Increment(ref _writeErrors);
            _report.Problem(stored.Node, $"sample {stored.Seq} not stored: {e.Message}");
            return;
        }
        AggregationOutput closed;
        lock (_aggLock)
            closed = _aggregator.Add(stored, fullSample.Processes);
        await WriteAggregatesAsync(closed, token);
    }

    private async Task WriteAggregatesAsync(AggregationOutput rows, CancellationToken token)
    {
        if (rows.IsEmpty)
            return;
        foreach (var node in rows.Windows.GroupBy(r => r.Node, StringComparer.Ordinal))
            _lastWindows[node.Key] = node.ToList();
        try
        {
            await _store.WriteAggregatesAsync(rows, token);
            Interlocked.Add(ref _rowsWritten, rows.Windows.Count + rows.History.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interlocked.Increment(ref _writeErrors);
            _report.Problem("store", $"windows/history not stored: {e.Message}");
        }
    }

    private async Task UpsertNodeAsync(NodeStatus status, CancellationToken token)
    {
        try
        {
            await _store.UpsertNodeAsync(status, token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _report.Problem(status.Node, $"node status not stored: {e.Message}");
        }
    }

    /// <summary>Prints one status line shortly after every window end.</summary>
    private async Task StatusLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var end = Ticks.Next(_clock.GetUtcNow(), _options.Window);
            if (!await DelayUntilAsync(end + TimeSpan.FromMilliseconds(Math.Min(_options.Sample.TotalMilliseconds / 2, 2000)), token))
                break;
            _report.Status(StatusLine(end - _options.Window, end));
            _statusPrintedUntil = end;
        }
    }

    internal string StatusLine(DateTimeOffset start, DateTimeOffset end)
    {
        var nodes = _live.Nodes.Values.ToList();
        var up = nodes.Count(n => n.Status?.State is NodeState.Up or NodeState.Partial);
        var samples = nodes.Select(n => n.LastSample).Where(s => s != null).ToList();
        var procs = samples.Sum(s => s!.ProcessCount);
        // The top user of the last closed window (its average, summed over nodes), not of the last sample.
        var top = _lastWindows.Values.SelectMany(rows => rows).Where(r => r.Kind == ItemKind.User)
            .GroupBy(r => r.ItemKey, StringComparer.Ordinal)
            .Select(g => (User: g.Key, Cpu: g.Sum(r => r.Cpu.Avg))).OrderByDescending(u => u.Cpu).FirstOrDefault();
        var problems = nodes.Where(n => n.Status is { State: not NodeState.Up }).Select(n => $"{n.Name} {n.Status!.State.ToText()}").ToList();
        var errors = Interlocked.Read(ref _writeErrors);
        if (errors > 0)
            problems.Add($"{errors} write errors");
        // Stored as they were measured (flag 2 in samples.flags), but a user should know the numbers are suspect.
        if (Interlocked.Exchange(ref _negativeResidue, 0) is > 0 and var residue)
            problems.Add($"{residue} sample{(residue == 1 ? "" : "s")} with users above the node's busy CPU (flag 2)");
        if (_store.Problem is { } storeProblem)
            problems.Add(storeProblem);
        var topText = top.User == null ? "-" : $"{top.User} {top.Cpu.ToString("0.0", CultureInfo.InvariantCulture)}% (window avg)";
        return $"{end:HH:mm:ss}Z window {start:HH:mm:ss}–{end:HH:mm:ss} · nodes {up}/{nodes.Count} up · {procs} processes · top user {topText} · {RowsWritten} rows written · problems: {(problems.Count == 0 ? "none" : string.Join(", ", problems))}";
    }

    private async Task PruneLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                var n = await _store.PruneAsync(_options.Retention, _clock.GetUtcNow(), token);
                if (n > 0)
                    _report.Debug($"pruned {n} rows past retention");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _report.Problem("store", $"pruning failed: {e.Message}");
            }
            if (!await DelayUntilAsync(_clock.GetUtcNow() + _options.PruneEvery, token))
                break;
        }
    }

    private async Task<bool> DelayUntilAsync(DateTimeOffset when, CancellationToken token)
    {
        var wait = when - _clock.GetUtcNow();
        try
        {
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, _clock, token);
            return !token.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
