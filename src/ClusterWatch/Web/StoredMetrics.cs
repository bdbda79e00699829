using ClusterWatch.Core.Metrics;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Web;

/// <summary>
/// /metrics under `serve` (no watcher in this process): every node the store knows with its stored state, and the
/// gauges of its newest stored sample (node totals, users, the processes that were kept). The watcher's counters and
/// health are not in the database, so the snapshot says <see cref="MetricsSnapshot.FromStore"/> and they are left out.
/// </summary>
internal static class StoredMetrics
{
    public static async Task<MetricsSnapshot> LoadAsync(IUsageStore store, IUsageQueries queries, CancellationToken ct)
    {
        var latest = await queries.LatestSamplesAsync(ct);
        var nodes = new List<NodeMetrics>();
        foreach (var status in await store.GetNodesAsync(ct))
        {
            var sample = latest.TryGetValue(status.Node, out var last)
                // The newest sample's second: [t, t + 1) on the (node, ts) index; the highest seq if two share it.
                ? (await store.LoadSamplesAsync(status.Node, last.Time, last.Time.AddSeconds(1), ct)).LastOrDefault()
                : null;
            nodes.Add(new NodeMetrics(status.Node, status.State, sample, new Dictionary<string, double>(), 0, 0, 0, 0));
        }
        return new MetricsSnapshot(DateTimeOffset.UnixEpoch, nodes, FromStore: true);
    }
}
