using ClusterWatch.Core.Model;
using ClusterWatch.Core.Watching;

namespace ClusterWatch.Web;

/// <summary>One row of a "now" or "that window" top list, as the API returns it (CPU % of one core, RSS bytes).</summary>
public sealed record TopRow(string Node, string Key, string User, string Command, int Pid, double CpuPct, double CpuMaxPct, long RssBytes, double MemPct);

/// <summary>Top lists of the latest samples the watcher holds in memory: every process, before the volume rule.</summary>
public static class LiveViews
{
    public static bool HasData(LiveState? live) => live != null && live.Nodes.Values.Any(n => n.LastSample != null);

    /// <summary>Users and commands summed over the nodes asked for; processes per node. Ordered by CPU, then RSS.</summary>
    public static IReadOnlyList<TopRow> Top(LiveState live, TopRequest r)
    {
        var samples = live.Nodes.Values.Select(n => n.LastSample).OfType<NodeSample>()
            .Where(s => r.Node == null || s.Node == r.Node).OrderBy(s => s.Node, StringComparer.Ordinal).ToList();
        IEnumerable<TopRow> rows = r.Kind switch
        {
            ItemKind.User => samples
                .SelectMany(s => s.Users.Select(u => new TopRow(s.Node, u.User, u.User, "", 0, u.CpuPct, u.CpuPct, u.RssBytes, u.MemPct)))
                .Where(u => r.User == null || u.User == r.User),
            ItemKind.Command => samples
                .SelectMany(s => s.Processes.Where(p => Matches(p, r)).GroupBy(p => p.Command, StringComparer.Ordinal)
                    .Select(g => new TopRow(s.Node, g.Key, "", g.Key, 0, g.Sum(p => p.TotalCpuPct), g.Sum(p => p.TotalCpuPct), g.Sum(p => p.RssBytes), g.Sum(p => p.MemPct)))),
            _ => samples
                .SelectMany(s => s.Processes.Where(p => Matches(p, r))
                    .Select(p => new TopRow(s.Node, p.ItemKey, p.User, p.Command, p.Pid, p.TotalCpuPct, p.TotalCpuPct, p.RssBytes, p.MemPct))),
        };
        if (r.Kind != ItemKind.Process)
            rows = rows.GroupBy(x => x.Key, StringComparer.Ordinal).Select(g => g.Aggregate((a, b) => a with
            {
                Node = a.Node + "," + b.Node,
                CpuPct = a.CpuPct + b.CpuPct,
                CpuMaxPct = a.CpuMaxPct + b.CpuMaxPct,
                RssBytes = a.RssBytes + b.RssBytes,
                MemPct = a.MemPct + b.MemPct,
            }));
        return rows.OrderByDescending(x => x.CpuPct).ThenByDescending(x => x.RssBytes)
            .ThenBy(x => x.Node, StringComparer.Ordinal).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(r.Top).Select(ApiNumbers.Round).ToList();
    }

    private static bool Matches(ProcessUsage p, TopRequest r) =>
        (r.User == null || p.User == r.User) && (r.Command == null || p.Command == r.Command);
}
