using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Tests.Storage;

/// <summary>An in-memory store that can be switched "down" (every call throws), for the spool's edge cases only;
/// the real outage is tested against MariaDB in the integration tests.</summary>
internal sealed class FakeStore : IUsageStore
{
    public volatile bool Down;
    public readonly List<string> Writes = new();

    /// <summary>Seqs another watcher stored, per node (count in GetLastSeqAsync).</summary>
    public readonly Dictionary<string, long> OtherWatcherSeq = new(StringComparer.Ordinal);

    /// <summary>Who holds each node's lease; claims by anyone else are refused.</summary>
    public readonly Dictionary<string, string> LeaseHolder = new(StringComparer.Ordinal);

    public readonly List<string> Claims = new();

    public int Migrations;

    public string Description => "fake";

    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (!Down)
            Migrations++;
        return Ok();
    }

    public Task<LeaseClaim> ClaimNodeAsync(string node, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (Down)
            return Task.FromException<LeaseClaim>(new IOException("connection refused"));
        lock (Writes)
        {
            var holder = LeaseHolder.GetValueOrDefault(node, owner);
            Claims.Add($"claim {node} {owner}");
            return Task.FromResult(new LeaseClaim(holder == owner, holder, now + lease));
        }
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => Task.FromResult(2);

    public Task<long> GetLastSeqAsync(string node, CancellationToken cancellationToken)
    {
        lock (Writes)
            return Task.FromResult(Writes.Where(w => w.StartsWith($"sample {node} ", StringComparison.Ordinal)).Select(w => long.Parse(w.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture))
                .Append(OtherWatcherSeq.GetValueOrDefault(node)).Max());
    }

    public Task WriteSampleAsync(NodeSample sample, CancellationToken cancellationToken) => Record($"sample {sample.Node} {sample.Seq}");

    public Task WriteAggregatesAsync(AggregationOutput rows, CancellationToken cancellationToken) => Record($"windows {rows.Windows.Count}");

    public Task UpsertNodeAsync(NodeStatus status, CancellationToken cancellationToken) => Record($"node {status.Node} {status.State}");

    public Task<IReadOnlyList<NodeSample>> LoadSamplesAsync(string node, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<NodeSample>>([]);

    public Task<long> PruneAsync(RetentionPolicy retention, DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult(0L);

    public Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<NodeStatus>>([]);

    public Task<IReadOnlyList<TopItem>> TopAsync(TopQuery query, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<TopItem>>([]);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task Ok() => Down ? Task.FromException(new IOException("connection refused")) : Task.CompletedTask;

    private Task Record(string what)
    {
        if (Down)
            return Task.FromException(new IOException("connection refused"));
        lock (Writes)
            Writes.Add(what);
        return Task.CompletedTask;
    }
}
