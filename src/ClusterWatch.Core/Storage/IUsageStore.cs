using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

/// <summary>
/// The one sink of the pipeline, with one implementation per SQL dialect (SQLite, MySQL/MariaDB), all held to the
/// same contract tests. Writes are safe to call from several node loops at once. Every write is idempotent: a
/// sample is keyed by (node, seq); windows and history by (node, start, kind, item) and upserted.
/// </summary>
public interface IUsageStore : IAsyncDisposable
{
    /// <summary>What and where, for the start line ("SQLite ./clusterwatch.db"); never holds a password.</summary>
    string Description { get; }

    /// <summary>Creates or upgrades the schema (versioned migrations, under a lock).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The schema version the database is at (0 = empty).</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>The highest stored seq of a node, 0 if none: the count sequence continues across restarts.</summary>
    Task<long> GetLastSeqAsync(string node, CancellationToken cancellationToken);

    /// <summary>Writes one node sample (samples, user_samples, process_samples) in one transaction; a (node, seq) already stored is left as it is.</summary>
    Task WriteSampleAsync(NodeSample sample, CancellationToken cancellationToken);

    /// <summary>Writes several samples (any nodes); SQL stores do it in one transaction (a backlog or many nodes at once).</summary>
    async Task WriteSamplesAsync(IReadOnlyList<NodeSample> samples, CancellationToken cancellationToken)
    {
        foreach (var s in samples)
            await WriteSampleAsync(s, cancellationToken);
    }

    /// <summary>Upserts closed (or partial) windows and history rows.</summary>
    Task WriteAggregatesAsync(AggregationOutput rows, CancellationToken cancellationToken);

    /// <summary>Inserts or updates a node's row (status, last seen, last error).</summary>
    Task UpsertNodeAsync(NodeStatus status, CancellationToken cancellationToken);

    /// <summary>The stored samples of a node with from ≤ time &lt; to, users and kept processes included, in seq order.</summary>
    Task<IReadOnlyList<NodeSample>> LoadSamplesAsync(string node, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Deletes rows older than the retention, in small batches; returns rows deleted.</summary>
    Task<long> PruneAsync(RetentionPolicy retention, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Every node row.</summary>
    Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken);

    /// <summary>Top users, processes or commands over a time range (the report command, the dashboard).</summary>
    Task<IReadOnlyList<TopItem>> TopAsync(TopQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Claims (or renews) a node for <paramref name="owner"/> until now + lease; refused while another owner's lease
    /// runs. Several watchers share one database this way. Stores without leases grant every claim.
    /// </summary>
    Task<LeaseClaim> ClaimNodeAsync(string node, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        Task.FromResult(new LeaseClaim(true, owner, now + lease));

    /// <summary>Ends the owner's lease on a node (a clean stop), so another watcher may take it at once.</summary>
    Task ReleaseNodeAsync(string node, string owner, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>False once another watcher took the node over (see SpoolingStore): the watcher stops sampling it.</summary>
    bool Watches(string node) => true;

    /// <summary>What is wrong with the store right now, for the status line ("database unreachable, 12 samples spooled"); null when fine.</summary>
    string? Problem => null;
}

/// <summary>The answer to a lease claim: granted, or refused with who holds the node and until when.</summary>
public sealed record LeaseClaim(bool Granted, string Owner, DateTimeOffset Until);

/// <summary>How long each table keeps its rows.</summary>
public sealed record RetentionPolicy(TimeSpan Samples, TimeSpan Windows, TimeSpan History)
{
    public static readonly RetentionPolicy Default = new(TimeSpan.FromHours(48), TimeSpan.FromDays(30), TimeSpan.FromDays(365));
}

/// <summary>A report/dashboard question: the top items of a kind over [From, To), optionally on one node.</summary>
public sealed record TopQuery(ItemKind Kind, DateTimeOffset From, DateTimeOffset To, string? Node = null, int Top = 10, string? User = null);

/// <summary>
/// One row of a top list, ranked by CPU time used (core-seconds). CPU in % of one core averaged over the range (users
/// and commands: absent = 0, summed over nodes; a process: over the samples it was alive in), its maximum
/// single-sample value, the CPU time used in core-seconds; memory as average and maximum RSS bytes.
/// </summary>
public sealed record TopItem(
    ItemKind Kind,
    string Key,
    string User,
    string Command,
    string Nodes,
    double CpuAvgPct,
    double CpuMaxPct,
    double CpuSeconds,
    double RssAvgBytes,
    double RssMaxBytes,
    double MemAvgPct,
    long Samples);
