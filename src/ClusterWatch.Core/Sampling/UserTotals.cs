using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Sampling;

/// <summary>Sums processes per user (own CPU + children's credit, RSS, count), sorted by CPU then name.</summary>
public static class UserTotals
{
    public static IReadOnlyList<UserUsage> Sum(IEnumerable<ProcessUsage> processes)
    {
        var byUser = new Dictionary<string, (int Uid, double Own, double Children, long Rss, double Mem, int Count)>(StringComparer.Ordinal);
        foreach (var p in processes)
        {
            byUser.TryGetValue(p.User, out var t);
            byUser[p.User] = (t.Count == 0 ? p.Uid : t.Uid, t.Own + p.CpuPct, t.Children + p.ChildrenCpuPct,
                t.Rss + p.RssBytes, t.Mem + p.MemPct, t.Count + (p.Command == ProcessUsage.OtherCommand ? 0 : 1));
        }
        return byUser
            .Select(kv => new UserUsage(kv.Key, kv.Value.Uid, kv.Value.Own + kv.Value.Children, kv.Value.Own,
                kv.Value.Children, kv.Value.Rss, kv.Value.Mem, kv.Value.Count))
            .OrderByDescending(u => u.CpuPct).ThenBy(u => u.User, StringComparer.Ordinal)
            .ToList();
    }
}
