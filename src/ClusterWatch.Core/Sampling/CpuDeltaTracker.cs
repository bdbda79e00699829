using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Sampling;

/// <summary>
/// Turns one node's cumulative counters into usage over each interval. One instance per node; the only state of the
/// pipeline besides the window aggregator. Identity is (boot id, pid, start time) — for top, which shows no start
/// time, (pid, user, command) with a TIME+ that never goes backwards — so a reused pid is a new process, never a
/// negative or huge rate.
/// </summary>
public sealed class CpuDeltaTracker
{
    private Dictionary<(int Pid, long Start), Prev> _prev = new();
    private Dictionary<(int Pid, long Start), Prev> _next = new();
    private readonly Dictionary<int, double> _vanishedChildren = new();
    private readonly HashSet<int> _currentPids = new();
    // Scratch for the orphan bookkeeping, kept to avoid allocating per snapshot.
    private readonly Dictionary<int, Prev> _vanished = new();
    private readonly List<(int Ancestor, double Seen)> _orphans = new();
    private readonly Dictionary<int, double> _unexplained = new();
    private readonly Dictionary<int, int> _parentOf = new();
    private string? _bootId;
    private double _clock;
    private double _busy;

    /// <summary>Processes seen with the same pid as a different process (pid reuse) since the start.</summary>
    public long PidReuses { get; private set; }

    /// <summary>
    /// Feeds a snapshot. Returns the usage over the interval since the previous snapshot (Seq 0: the caller numbers
    /// it), or null when there is no baseline yet (first snapshot, reboot, or a clock that did not advance).
    /// </summary>
    public NodeSample? Update(NodeSnapshot snap)
    {
        var elapsed = snap.NodeClockSeconds - _clock;
        // NoCpu: the source could not measure this interval (top's first frame, a frame already used): baseline only.
        var hasBaseline = _bootId == snap.BootId && elapsed > 0 && !snap.Flags.HasFlag(SampleFlags.NoCpu);
        var result = hasBaseline ? Compute(snap, elapsed) : null;
        Remember(snap);
        return result;
    }

    private NodeSample Compute(NodeSnapshot snap, double elapsed)
    {
        var maxPct = snap.CpuCount * 100.0;
        var busyPct = Math.Clamp(snap.ReportedCpuBusyPct ?? (snap.CpuBusySeconds - _busy) / elapsed * 100, 0, maxPct);
        CollectVanishedChildren(snap);
        var usages = new List<ProcessUsage>(snap.ProcessCount);
        var attributed = 0.0;
        foreach (ref readonly var p in snap.ProcessSpan)
        {
            var u = Measure(p, snap, elapsed, maxPct);
            usages.Add(u);
            attributed += u.TotalCpuPct;
        }
        var flags = snap.Flags;
        var residue = busyPct - attributed;
        // /proc/stat is read before the process scan, and each process's delta runs from its own read to the next: on a
        // busy node a scan slower than the previous one over-counts the last processes a little. Allow that before flagging.
        if (residue < -Math.Max(2.0, snap.CpuCount * 1.0))
            flags |= SampleFlags.NegativeResidue;
        if (busyPct >= 10 && residue > busyPct / 2)
            flags |= SampleFlags.UnattributedHigh;
        var users = UserTotals.Sum(usages);
        return new NodeSample(
            snap.Node, 0, snap.Tick, elapsed, busyPct, snap.MemTotalBytes - snap.MemAvailableBytes, snap.MemTotalBytes,
            snap.CpuCount, snap.ProcessCount, Math.Max(0, residue), flags, users, usages);
    }

    private ProcessUsage Measure(in RawProcess p, NodeSnapshot snap, double elapsed, double maxPct)
    {
        double own = 0, children = 0;
        var baseline = true;
        if (_prev.TryGetValue((p.Pid, p.StartTicks), out var prev) && SameProcess(prev, p))
        {
            own = (p.CpuSeconds - prev.Cpu) / elapsed * 100;
            var grown = p.ChildrenCpuSeconds - prev.Children;
            // Reaped children's whole lifetime lands in cutime; the part they lived through earlier samples was
            // counted then (their last-seen total), so only the rest is credited.
            _vanishedChildren.TryGetValue(p.Pid, out var alreadyCounted);
            // A snapshot is not atomic: a child read as gone may be reaped (its life added to cutime) only after the
            // parent was read, i.e. in the next interval. What could not be subtracted now is carried to the next
            // two intervals instead of being dropped — dropped, it would be credited again when cutime catches up.
            var toSubtract = alreadyCounted + (prev.DebtAge > 0 ? prev.Debt : 0);
            children = Math.Max(0, grown - toSubtract) / elapsed * 100;
            var left = toSubtract - Math.Max(0, grown);
            (prev.Debt, prev.DebtAge) = left > 1e-9 ? (left, alreadyCounted > 0 ? 2 : prev.DebtAge - 1) : (0, 0);
        }
        else if (p.StartTicks > 0 && p.StartTicks / snap.ClockTicksPerSecond > _clock)
        {
            // Started inside the interval: everything it used so far belongs to this interval.
            own = p.CpuSeconds / elapsed * 100;
            children = p.ChildrenCpuSeconds / elapsed * 100;
        }
        else
            baseline = false;
        if (p.ReportedCpuPct is { } reported)
        {
            own = reported;
            baseline = true;
        }
        var memPct = snap.MemTotalBytes > 0 ? p.RssBytes * 100.0 / snap.MemTotalBytes : 0;
        return new ProcessUsage(
            p.Pid, p.StartTicks, p.Uid, p.User, p.Command, p.State,
            Math.Clamp(own, 0, maxPct), Math.Clamp(children, 0, maxPct), p.RssBytes, memPct, baseline);
    }

    /// <summary>With a start time the key says it all (exec may change comm); without one (top) user and command must match and TIME+ must not go back.</summary>
    private static bool SameProcess(Prev prev, in RawProcess p) =>
        p.StartTicks != 0 || (prev.User == p.User && prev.Command == p.Command && p.CpuSeconds >= prev.Cpu);

    private void CollectVanishedChildren(NodeSnapshot snap)
    {
        _vanishedChildren.Clear();
        _currentPids.Clear();
        _vanished.Clear();
        foreach (ref readonly var p in snap.ProcessSpan)
        {
            _currentPids.Add(p.Pid);
            if (_prev.TryGetValue((p.Pid, p.StartTicks), out var prev) && SameProcess(prev, p))
                prev.Seen = true;
        }
        foreach (var (key, prev) in _prev)
        {
            if (prev.Seen)
                continue;
            _vanished[key.Pid] = prev;
            if (_currentPids.Contains(key.Pid))
                PidReuses++;
        }
        _orphans.Clear();
        foreach (var (_, prev) in _vanished)
        {
            if (prev.ParentPid <= 0)
                continue;
            var livingAncestor = NearestLivingAncestor(prev.ParentPid);
            if (livingAncestor == prev.ParentPid)
            {
                // Its parent is alive, so the parent reaped it: its cutime grew by the child's whole life.
                AlreadyCounted(prev.ParentPid) += prev.SeenTotal;
            }
            else if (livingAncestor > 0)
                _orphans.Add((livingAncestor, prev.SeenTotal));
        }
        if (_orphans.Count > 0)
            AssignOrphansToReapers(snap);
    }

    /// <summary>The CPU seconds of <paramref name="pid"/>'s reaped children that earlier samples already counted.</summary>
    private ref double AlreadyCounted(int pid) =>
        ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_vanishedChildren, pid, out _);

    /// <summary>The first pid up the parent chain that did not vanish in this interval (0 when the chain loops).</summary>
    private int NearestLivingAncestor(int pid)
    {
        for (var hops = 0; hops < 64 && pid > 0; hops++)
        {
            if (!_vanished.TryGetValue(pid, out var gone))
                return pid;
            pid = gone.ParentPid;
        }
        return 0;
    }

    /// <summary>
    /// A process whose parent vanished in the same interval was reaped either by that parent before it died (then
    /// the grandparent's cutime holds it) or, orphaned, by a subreaper or init: in both cases by a living ancestor
    /// whose cutime grew by at least its whole life. The seen part is charged to the nearest such ancestor, so the
    /// reaper's user gets only what was not counted before; a reaper outside the snapshot changes nobody.
    /// </summary>
    private void AssignOrphansToReapers(NodeSnapshot snap)
    {
        _unexplained.Clear();
        _parentOf.Clear();
        foreach (ref readonly var p in snap.ProcessSpan)
        {
            if (!_prev.TryGetValue((p.Pid, p.StartTicks), out var prev) || !SameProcess(prev, p))
                continue;
            _vanishedChildren.TryGetValue(p.Pid, out var direct);
            _unexplained[p.Pid] = p.ChildrenCpuSeconds - prev.Children - direct;
            _parentOf[p.Pid] = p.ParentPid;
        }
        _orphans.Sort((a, b) => b.Seen.CompareTo(a.Seen));
        foreach (var (ancestor, seen) in _orphans)
        {
            var pid = ancestor;
            for (var hops = 0; hops < 64 && _unexplained.TryGetValue(pid, out var left); hops++)
            {
                if (left >= seen - 1e-9)
                {
                    _unexplained[pid] = left - seen;
                    AlreadyCounted(pid) += seen;
                    break;
                }
                pid = _parentOf[pid];
            }
        }
    }

    private void Remember(NodeSnapshot snap)
    {
        _next.Clear();
        foreach (ref readonly var p in snap.ProcessSpan)
        {
            var key = (p.Pid, p.StartTicks);
            if (!_prev.TryGetValue(key, out var prev))
                prev = new Prev();
            prev.Cpu = p.CpuSeconds;
            prev.Children = p.ChildrenCpuSeconds;
            prev.ParentPid = p.ParentPid;
            prev.User = p.User;
            prev.Command = p.Command;
            prev.Seen = false;
            _next[key] = prev;
        }
        (_prev, _next) = (_next, _prev);
        _next.Clear();
        _bootId = snap.BootId;
        _clock = snap.NodeClockSeconds;
        _busy = snap.CpuBusySeconds;
    }

    private sealed class Prev
    {
        public double Cpu;
        public double Children;
        public int ParentPid;
        public double Debt;     // seen CPU of reaped children not yet found in cutime (see Measure)
        public int DebtAge;     // intervals the debt is still kept

        /// <summary>
        /// What its reaper's cutime will hold that earlier samples already counted: its own time, its reaped children's,
        /// and children it reaped after it was last read (the debt), whose time its final cutime carries up.
        /// </summary>
        public double SeenTotal => Cpu + Children + (DebtAge > 0 ? Debt : 0);
        public string User = "";
        public string Command = "";
        public bool Seen;
    }
}
