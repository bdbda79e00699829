using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Aggregation;

/// <summary>One item's values at one sample: CPU % (own + children), RSS bytes, % of RAM.</summary>
public readonly record struct ItemValue(double Cpu, double Rss, double MemPct);

/// <summary>What a window or history row is about.</summary>
public sealed record ItemId(ItemKind Kind, string Key, string User, string Command, int Pid);

/// <summary>A process alive in the snapshot whose row the volume rule did not keep (summed into "(other)").</summary>
public readonly record struct UnkeptProcess(int Pid, long StartTicks, double Cpu, double Rss, double MemPct);

/// <summary>
/// The values of every item at one sample. <paramref name="Unkept"/>: the processes alive but not stored, sorted by
/// pid (unique within one snapshot) — a compact array rather than dictionary entries and item ids, since a watcher
/// holds a cycle of samples for every node (measured: 50 nodes × 300 processes, +57 MiB as dictionary entries).
/// </summary>
public sealed record SampleValues(DateTimeOffset Time, IReadOnlyDictionary<ItemId, ItemValue> Items, UnkeptProcess[]? Unkept = null)
{
    private static readonly IEqualityComparer<ItemId> KeyOnly = new ItemIdKeyComparer();

    /// <summary>
    /// Users, processes and commands of a stored sample (commands summed over the kept process rows), and the node's
    /// totals. <paramref name="alive"/>: every process of the snapshot, before the volume rule (null: only the stored
    /// rows are known, e.g. samples reloaded from the store); those without a row of their own are added as alive but
    /// not stored, with their real values (CPU 0: the rule keeps every process that used CPU).
    /// </summary>
    public static SampleValues From(NodeSample s, IReadOnlyList<ProcessUsage>? alive = null)
    {
        var items = new Dictionary<ItemId, ItemValue>(KeyOnly)
        {
            // The node's own totals, for the dashboard's cluster and node charts over windows and history.
            [new ItemId(ItemKind.Node, "", "", "", 0)] = new ItemValue(s.CpuBusyPct, s.MemUsedBytes, s.MemTotalBytes > 0 ? 100.0 * s.MemUsedBytes / s.MemTotalBytes : 0),
        };
        foreach (var u in s.Users)
            items[new ItemId(ItemKind.User, u.User, u.User, "", 0)] = new ItemValue(u.CpuPct, u.RssBytes, u.MemPct);
        foreach (var p in s.Processes)
        {
            items[new ItemId(ItemKind.Process, p.ItemKey, p.User, p.Command, p.Pid)] = new ItemValue(p.TotalCpuPct, p.RssBytes, p.MemPct);
            var cmd = new ItemId(ItemKind.Command, p.Command, "", p.Command, 0);
            items.TryGetValue(cmd, out var c);
            items[cmd] = new ItemValue(c.Cpu + p.TotalCpuPct, c.Rss + p.RssBytes, c.MemPct + p.MemPct);
        }
        return new SampleValues(s.Time, items, alive == null || ReferenceEquals(alive, s.Processes) ? null : UnkeptOf(s.Processes, alive));
    }

    /// <summary>The alive processes without a stored row of their own, sorted by pid.</summary>
    private static UnkeptProcess[] UnkeptOf(IReadOnlyList<ProcessUsage> stored, IReadOnlyList<ProcessUsage> alive)
    {
        var storedPids = new HashSet<int>(stored.Count);
        foreach (var p in stored)
            storedPids.Add(p.Pid);
        var unkept = new List<UnkeptProcess>(Math.Max(0, alive.Count - stored.Count));
        foreach (var p in alive)
            if (!storedPids.Contains(p.Pid))
                unkept.Add(new UnkeptProcess(p.Pid, p.StartTicks, p.TotalCpuPct, p.RssBytes, p.MemPct));
        var array = unkept.ToArray();
        Array.Sort(array, static (a, b) => a.Pid.CompareTo(b.Pid));
        return array;
    }

    /// <summary>
    /// The item's value at this sample: its stored row, or for a process (<paramref name="startTicks"/>: its start
    /// time, from its key) alive but not kept, its values marked not stored.
    /// </summary>
    public bool TryGetValue(ItemId id, long startTicks, out ItemValue value)
    {
        if (Items.TryGetValue(id, out value))
            return true;
        if (Unkept is { Length: > 0 } unkept && id.Kind == ItemKind.Process)
        {
            int lo = 0, hi = unkept.Length - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var p = unkept[mid];
                if (p.Pid == id.Pid)
                {
                    if (p.StartTicks != startTicks)
                        break; // the same pid, another process
                    value = new ItemValue(p.Cpu, p.Rss, p.MemPct);
                    return true;
                }
                if (p.Pid < id.Pid)
                    lo = mid + 1;
                else
                    hi = mid - 1;
            }
        }
        value = default;
        return false;
    }

    /// <summary>A process key's start time ("pid:start_ticks"; 0 for any other key).</summary>
    public static long StartTicksOf(ItemId id)
    {
        var colon = id.Key.IndexOf(':');
        return id.Kind == ItemKind.Process && colon > 0 && long.TryParse(id.Key.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : 0;
    }

    /// <summary>Items compare by kind and key only: user and command are descriptions.</summary>
    private sealed class ItemIdKeyComparer : IEqualityComparer<ItemId>
    {
        public bool Equals(ItemId? x, ItemId? y) => x!.Kind == y!.Kind && string.Equals(x.Key, y.Key, StringComparison.Ordinal);

        public int GetHashCode(ItemId obj) => HashCode.Combine(obj.Kind, StringComparer.Ordinal.GetHashCode(obj.Key));
    }
}

/// <summary>
/// Pure window and cycle math. Windows and cycles are half-open [start, end), UTC aligned; the interval ending at t
/// belongs to the window containing t − ε. Users and commands absent from a sample count as 0 there; a process counts
/// every sample in which it was alive (in the snapshot), stored or summed into "(other)" by the volume rule, and has a
/// row where it was stored at least once in the window (or cycle).
/// </summary>
public static class WindowMath
{
    /// <summary>Start of the period of length <paramref name="period"/> that holds the interval ending at <paramref name="t"/>.</summary>
    public static DateTimeOffset PeriodStart(DateTimeOffset t, TimeSpan period)
    {
        var ticks = t.UtcTicks - 1;
        return new DateTimeOffset(ticks - (ticks % period.Ticks), TimeSpan.Zero);
    }

    /// <summary>The window rows of the samples of one window (samples in time order).</summary>
    public static List<WindowRow> Window(string node, DateTimeOffset start, TimeSpan length, int sampleSeconds, IReadOnlyList<SampleValues> samples)
    {
        var rows = new List<WindowRow>();
        foreach (var id in Items(samples))
        {
            var values = Series(id, samples);
            if (values.Count == 0)
                continue;
            rows.Add(new WindowRow(node, start, start + length, id.Kind, id.Key, id.User, id.Command, id.Pid, values.Count, sampleSeconds,
                Stats(values, v => v.Cpu), Stats(values, v => v.Rss), Stats(values, v => v.MemPct)));
        }
        return rows;
    }

    /// <summary>
    /// The history rows of one cycle: average and maximum over all its samples (sample-weighted, so a missing sample
    /// does not skew it) and the average of each of its windows (null where a window had no sample of that item).
    /// </summary>
    public static List<HistoryRow> Cycle(string node, DateTimeOffset start, TimeSpan cycle, TimeSpan window, int sampleSeconds, IReadOnlyList<SampleValues> samples)
    {
        var rows = new List<HistoryRow>();
        var windowsPerCycle = (int)(cycle.Ticks / window.Ticks);
        // The cycle's samples split by window once, not once per item.
        var byWindow = Enumerable.Range(0, Math.Min(3, windowsPerCycle))
            .Select(w => samples.Where(s => PeriodStart(s.Time, window) == start + window * w).ToList())
            .ToArray();
        foreach (var id in Items(samples))
        {
            var values = Series(id, samples);
            if (values.Count == 0)
                continue;
            var cpu = new double?[3];
            var rss = new double?[3];
            var mem = new double?[3];
            for (var w = 0; w < byWindow.Length; w++)
            {
                var wv = Series(id, byWindow[w]);
                if (wv.Count == 0)
                    continue;
                cpu[w] = wv.Average(v => v.Cpu);
                rss[w] = wv.Average(v => v.Rss);
                mem[w] = wv.Average(v => v.MemPct);
            }
            rows.Add(new HistoryRow(node, start, start + cycle, id.Kind, id.Key, id.User, id.Command, id.Pid, values.Count, sampleSeconds,
                new CycleStats(values.Average(v => v.Cpu), values.Max(v => v.Cpu), cpu[0], cpu[1], cpu[2]),
                new CycleStats(values.Average(v => v.Rss), values.Max(v => v.Rss), rss[0], rss[1], rss[2]),
                new CycleStats(values.Average(v => v.MemPct), values.Max(v => v.MemPct), mem[0], mem[1], mem[2])));
        }
        return rows;
    }

    /// <summary>The items with a row: every item stored in at least one of the samples (not a process only ever summed into "(other)").</summary>
    private static IEnumerable<ItemId> Items(IReadOnlyList<SampleValues> samples)
    {
        var seen = new HashSet<(ItemKind, string)>();
        foreach (var s in samples)
            foreach (var id in s.Items.Keys)
                if (seen.Add((id.Kind, id.Key)))
                    yield return id;
    }

    /// <summary>The item's value at each sample: users and commands 0 where absent, processes only where alive (stored or not).</summary>
    private static List<ItemValue> Series(ItemId id, IReadOnlyList<SampleValues> samples)
    {
        var list = new List<ItemValue>(samples.Count);
        var startTicks = SampleValues.StartTicksOf(id);
        foreach (var s in samples)
        {
            if (s.TryGetValue(id, startTicks, out var v))
                list.Add(v);
            else if (id.Kind != ItemKind.Process)
                list.Add(default);
        }
        return list;
    }

    private static MetricStats Stats(List<ItemValue> values, Func<ItemValue, double> pick)
    {
        double? Last(int back) => values.Count >= back ? pick(values[^back]) : null;
        return new MetricStats(values.Average(pick), values.Max(pick), Last(1), Last(2), Last(3));
    }
}
