using System.Collections.Concurrent;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Watching;

/// <summary>
/// The latest view of every node, for the dashboard, the JSON API and /metrics: the last sample (all processes,
/// before the volume rule), the node's state, and running counters. Written by the node loops, read by the web.
/// </summary>
public sealed class LiveState
{
    private readonly ConcurrentDictionary<string, NodeLive> _nodes = new(StringComparer.Ordinal);

    /// <summary>Every node's latest state, by name.</summary>
    public IReadOnlyDictionary<string, NodeLive> Nodes => _nodes;

    /// <summary>When the watcher started.</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    public NodeLive Node(string name, string host, string source) =>
        _nodes.GetOrAdd(name, n => new NodeLive(n, host, source));
}

/// <summary>One node's live state. Fields are replaced whole (reference writes), so readers see a consistent sample.</summary>
public sealed class NodeLive(string name, string host, string source)
{
    private long _samplesOk;
    private long _samplesFailed;
    private long _vanished;

    public string Name { get; } = name;

    public string Host { get; } = host;

    public string Source { get; } = source;

    public volatile NodeSample? LastSample;

    public volatile NodeStatus? Status;

    /// <summary>How long the last snapshot took, seconds.</summary>
    public double LastDurationSeconds;

    /// <summary>Cumulative CPU seconds per user since the watcher started (own + reaped children), for _total counters.</summary>
    public readonly ConcurrentDictionary<string, double> UserCpuSecondsTotal = new(StringComparer.Ordinal);

    public long SamplesOk => Interlocked.Read(ref _samplesOk);

    public long SamplesFailed => Interlocked.Read(ref _samplesFailed);

    public long VanishedTotal => Interlocked.Read(ref _vanished);

    public void RecordSuccess(NodeSample sample, double durationSeconds, int vanished)
    {
        foreach (var u in sample.Users)
            UserCpuSecondsTotal.AddOrUpdate(u.User, u.CpuPct / 100 * sample.IntervalSeconds, (_, v) => v + u.CpuPct / 100 * sample.IntervalSeconds);
        LastSample = sample;
        LastDurationSeconds = durationSeconds;
        Interlocked.Increment(ref _samplesOk);
        Interlocked.Add(ref _vanished, vanished);
    }

    public void RecordFailure(double durationSeconds)
    {
        LastDurationSeconds = durationSeconds;
        Interlocked.Increment(ref _samplesFailed);
    }
}
