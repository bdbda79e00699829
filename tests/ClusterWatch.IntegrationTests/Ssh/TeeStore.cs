using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.IntegrationTests.Ssh;

/// <summary>
/// One watcher run written into two stores (SQLite and MariaDB): the same nodes, loads and samples checked in both,
/// without a second run. Reads come from the first store.
/// </summary>
public sealed class TeeStore(IUsageStore first, IUsageStore second) : IUsageStore
{
    public string Description => $"{first.Description} + {second.Description}";

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await first.MigrateAsync(cancellationToken);
        await second.MigrateAsync(cancellationToken);
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => first.GetSchemaVersionAsync(cancellationToken);

    public Task<long> GetLastSeqAsync(string node, CancellationToken cancellationToken) => first.GetLastSeqAsync(node, cancellationToken);

    public Task WriteSampleAsync(NodeSample sample, CancellationToken cancellationToken) =>
        Task.WhenAll(first.WriteSampleAsync(sample, cancellationToken), second.WriteSampleAsync(sample, cancellationToken));

    public Task WriteAggregatesAsync(AggregationOutput rows, CancellationToken cancellationToken) =>
        Task.WhenAll(first.WriteAggregatesAsync(rows, cancellationToken), second.WriteAggregatesAsync(rows, cancellationToken));

    public Task UpsertNodeAsync(NodeStatus status, CancellationToken cancellationToken) =>
        Task.WhenAll(first.UpsertNodeAsync(status, cancellationToken), second.UpsertNodeAsync(status, cancellationToken));

    public Task<IReadOnlyList<NodeSample>> LoadSamplesAsync(string node, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        first.LoadSamplesAsync(node, from, to, cancellationToken);

    public async Task<long> PruneAsync(RetentionPolicy retention, DateTimeOffset now, CancellationToken cancellationToken) =>
        await first.PruneAsync(retention, now, cancellationToken) + await second.PruneAsync(retention, now, cancellationToken);

    public Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken) => first.GetNodesAsync(cancellationToken);

    public Task<IReadOnlyList<TopItem>> TopAsync(TopQuery query, CancellationToken cancellationToken) => first.TopAsync(query, cancellationToken);

    public string? Problem => first.Problem ?? second.Problem;

    public async ValueTask DisposeAsync()
    {
        await first.DisposeAsync();
        await second.DisposeAsync();
    }
}
