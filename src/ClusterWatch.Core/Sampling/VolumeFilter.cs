using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Sampling;

/// <summary>
/// The default volume rule for process_samples: keep every process that used CPU in the interval (own or children's
/// credit) or is among the node's top N by memory; sum the rest into one "(other)" row per user so per-user totals
/// stay exact.
/// </summary>
public static class VolumeFilter
{
    public static IReadOnlyList<ProcessUsage> Apply(IReadOnlyList<ProcessUsage> processes, int topByMemory, bool allProcesses)
    {
        if (allProcesses)
            return processes;
        var keep = new HashSet<ProcessUsage>(ReferenceEqualityComparer.Instance);
        foreach (var p in processes)
            if (p.TotalCpuPct > 0)
                keep.Add(p);
        foreach (var p in processes.OrderByDescending(p => p.RssBytes).Take(topByMemory))
            keep.Add(p);
        var result = new List<ProcessUsage>(keep.Count + 8);
        var others = new Dictionary<string, (int Uid, long Rss, double Mem)>(StringComparer.Ordinal);
        foreach (var p in processes)
        {
            if (keep.Contains(p))
            {
                result.Add(p);
                continue;
            }
            others.TryGetValue(p.User, out var o);
            others[p.User] = (p.Uid, o.Rss + p.RssBytes, o.Mem + p.MemPct);
        }
        foreach (var (user, o) in others.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            result.Add(new ProcessUsage(0, 0, o.Uid, user, ProcessUsage.OtherCommand, '-', 0, 0, o.Rss, o.Mem));
        return result;
    }
}
