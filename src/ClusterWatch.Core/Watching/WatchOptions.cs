using ClusterWatch.Core.Storage;

namespace ClusterWatch.Core.Watching;

/// <summary>What the main job needs to run; validated by the configuration layer before it gets here.</summary>
public sealed record WatchOptions
{
    public TimeSpan Sample { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Cycle { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Stop after this long (null: until Ctrl-C / SIGTERM).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Keep every process in process_samples instead of the default volume rule.</summary>
    public bool AllProcesses { get; init; }

    /// <summary>How many processes by memory the volume rule keeps per node besides those that used CPU.</summary>
    public int TopByMemory { get; init; } = 20;

    public RetentionPolicy Retention { get; init; } = RetentionPolicy.Default;

    /// <summary>How long a node may take to answer one snapshot (default: the sample interval).</summary>
    public TimeSpan? SampleTimeout { get; init; }

    /// <summary>How often old rows are pruned.</summary>
    public TimeSpan PruneEvery { get; init; } = TimeSpan.FromMinutes(10);
}
