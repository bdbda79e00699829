using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sampling;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Core.Sources.Top;

/// <summary>How to import a recorded top log.</summary>
/// <param name="Node">Node name the samples are stored under.</param>
/// <param name="Date">Date of the log's first frame (node local).</param>
/// <param name="UtcOffset">The node's offset from UTC when the log was recorded.</param>
/// <param name="CpuCount">The node's CPUs (null: estimated from the log).</param>
/// <param name="SampleSeconds">The log's interval (from `-d N`).</param>
/// <param name="Window">Window length (a multiple of the interval).</param>
/// <param name="Cycle">Cycle length (a multiple of the window).</param>
/// <param name="AllProcesses">Keep every process in process_samples.</param>
/// <param name="TopByMemory">Volume rule: processes kept by memory.</param>
public sealed record TopImportOptions(
    string Node, DateOnly Date, TimeSpan UtcOffset, int CpuCount, int SampleSeconds, TimeSpan Window, TimeSpan Cycle,
    bool AllProcesses = false, int TopByMemory = 20);

/// <summary>What an import did.</summary>
public sealed record TopImportSummary(
    int Frames, int Samples, int AlreadyStored, long RowsWritten, DateTimeOffset? From, DateTimeOffset? To, TopCpuScale Scale, int SkippedFrames);

/// <summary>
/// Loads a recorded `top -b -d N` log into the store through the same tracker, aggregator and store as the watcher.
/// Idempotent: a sample is numbered by its time (seq = Unix seconds), so a second import finds every sample already
/// stored and re-writes identical windows and history (upserts). A run's first frame, and the first frame after a
/// gap (top restarted), set a baseline only.
/// </summary>
public static class TopLogImporter
{
    public static async Task<TopImportSummary> ImportAsync(
        IReadOnlyList<TopFrame> frames, IUsageStore store, TopImportOptions o, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var times = TopLogTimes.FrameTimes(frames, o.Date, o.UtcOffset);
        var scale = DetectScale(frames, o.CpuCount, times);
        var stored = await StoredSeqsAsync(store, o.Node, times, cancellationToken);
        var tracker = new CpuDeltaTracker();
        var aggregator = new WindowAggregator(TimeSpan.FromSeconds(o.SampleSeconds), o.Window, o.Cycle);
        long rows = 0;
        int samples = 0, already = 0, skipped = 0, run = 0;
        DateTimeOffset? previous = null, first = null;
        TopFrame? lastFrame = null;
        for (var i = 0; i < frames.Count; i++)
        {
            progress?.Report(i + 1);
            if (times[i] is not { } t || (previous is { } p && t <= p))
            {
                skipped++; // no clock, or a clock that did not advance: no interval to measure
                continue;
            }
            var restarted = previous is { } q && (t - q).TotalSeconds > 2.5 * o.SampleSeconds;
            if (restarted)
                run++;
            var ctx = new TopFrameContext(o.Node, $"import-run-{run}", t, (t - DateTimeOffset.UnixEpoch).TotalSeconds, o.CpuCount, scale,
                NoCpu: previous == null || restarted);
            previous = t;
            first ??= t;
            lastFrame = frames[i];
            var sample = tracker.Update(TopSnapshotMapper.ToSnapshot(frames[i], ctx));
            if (sample == null)
                continue;
            sample = sample with { Seq = t.ToUnixTimeSeconds() };
            var kept = sample with { Processes = VolumeFilter.Apply(sample.Processes, o.TopByMemory, o.AllProcesses) };
            samples++;
            if (stored.Contains(kept.Seq))
                already++;
            else
            {
                await store.WriteSampleAsync(kept, cancellationToken);
                rows += 1 + kept.Users.Count + kept.Processes.Count;
            }
            rows += await WriteAsync(store, aggregator.Add(kept, sample.Processes), cancellationToken);
        }
        rows += await WriteAsync(store, aggregator.Flush(), cancellationToken);
        if (previous is { } last && lastFrame != null)
        {
            var mem = (lastFrame.Summary.MemTotalKib ?? 0) * 1024;
            await store.UpsertNodeAsync(new NodeStatus(o.Node, "import", "top", NodeState.Up, last, null, o.CpuCount, mem), cancellationToken);
        }
        return new TopImportSummary(frames.Count, samples, already, rows, first, previous, scale, skipped);
    }

    /// <summary>Irix unless the frames' own TIME+ growth shows Solaris mode more often than Irix.</summary>
    private static TopCpuScale DetectScale(IReadOnlyList<TopFrame> frames, int cpuCount, DateTimeOffset?[] times)
    {
        int irix = 0, solaris = 0;
        for (var i = 1; i < frames.Count; i++)
        {
            var dt = times[i] is { } b && times[i - 1] is { } a ? (b - a).TotalSeconds : 0;
            var s = TopCpuScales.Detect(frames[i], cpuCount, frames[i - 1], dt);
            if (s == TopCpuScale.Irix)
                irix++;
            else if (s == TopCpuScale.Solaris)
                solaris++;
        }
        return solaris > irix ? TopCpuScale.Solaris : TopCpuScale.Irix;
    }

    private static async Task<HashSet<long>> StoredSeqsAsync(IUsageStore store, string node, DateTimeOffset?[] times, CancellationToken cancellationToken)
    {
        var known = times.Where(t => t != null).Select(t => t!.Value).ToList();
        if (known.Count == 0)
            return [];
        var existing = await store.LoadSamplesAsync(node, known.Min(), known.Max() + TimeSpan.FromSeconds(1), cancellationToken);
        return existing.Select(s => s.Seq).ToHashSet();
    }

    private static async Task<long> WriteAsync(IUsageStore store, AggregationOutput output, CancellationToken cancellationToken)
    {
        if (output.IsEmpty)
            return 0;
        await store.WriteAggregatesAsync(output, cancellationToken);
        return output.Windows.Count + output.History.Count;
    }
}
