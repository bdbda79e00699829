using ClusterWatch.Core.Model;
using ClusterWatch.Core.Watching;

namespace ClusterWatch.Core.Metrics;

/// <summary>
/// What /metrics shows, copied out of the live state at one moment so the writer is a pure function.
/// <paramref name="FromStore"/>: read from a database by `serve` (no watcher in this process): the series that live only
/// in a watcher's memory (start time, CPU-seconds counters, sample attempts, durations, vanished processes) are left out.
/// </summary>
public sealed record MetricsSnapshot(DateTimeOffset StartedAt, IReadOnlyList<NodeMetrics> Nodes, bool FromStore = false)
{
    /// <summary>Copies every node's latest sample and counters (the sample reference is immutable; counters are read once).</summary>
    public static MetricsSnapshot From(LiveState live) => new(live.StartedAt, live.Nodes.Values
        .Select(n => new NodeMetrics(n.Name, n.Status?.State, n.LastSample,
            new Dictionary<string, double>(n.UserCpuSecondsTotal, StringComparer.Ordinal),
            n.SamplesOk, n.SamplesFailed, n.VanishedTotal, n.LastDurationSeconds))
        .ToList());
}

/// <summary>One node's metrics input. <paramref name="State"/> is null before the first attempt.</summary>
public sealed record NodeMetrics(
    string Node,
    NodeState? State,
    NodeSample? LastSample,
    IReadOnlyDictionary<string, double> UserCpuSecondsTotal,
    long SamplesOk,
    long SamplesFailed,
    long VanishedTotal,
    double LastDurationSeconds);
