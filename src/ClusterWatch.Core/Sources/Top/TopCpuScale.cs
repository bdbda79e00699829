namespace ClusterWatch.Core.Sources.Top;

/// <summary>How top shows %CPU: Irix (default, % of one core: 200 = two busy cores) or Solaris (% of the whole node).</summary>
public enum TopCpuScale
{
    Irix,
    Solaris,
}

/// <summary>
/// Tells the two scales apart (a toprc or /etc/topdefaultrc can switch to Solaris mode) and converts to the product's
/// unit, percent of one core. A value above 100 proves Irix. Otherwise the rows' %CPU is compared with what the node
/// spent: Irix rows sum to about the %Cpu(s) busy share × CPUs, Solaris rows to about the busy share. Rows miss
/// short-lived processes, so a low sum alone can't prove Solaris: when two frames are at hand the rows' own TIME+
/// growth over the interval decides (displayed/measured ≈ 1 in Irix mode, ≈ 1/CPUs in Solaris mode).
/// </summary>
public static class TopCpuScales
{
    /// <summary>Irix or Solaris for this frame, or null when it can't tell (one CPU, an idle node, no earlier frame).</summary>
    public static TopCpuScale? Detect(TopFrame frame, int cpuCount, TopFrame? previous = null, double intervalSeconds = 0)
    {
        double sum = 0, max = 0;
        foreach (var r in frame.Rows)
        {
            sum += r.CpuPct ?? 0;
            max = Math.Max(max, r.CpuPct ?? 0);
        }
        if (max > 100.05)
            return TopCpuScale.Irix; // only Irix mode shows more than one core
        if (cpuCount <= 1 || frame.Flavor == TopFlavor.Busybox)
            return null;
        if (frame.Summary.BusyPctOfNode is { } busy && busy >= 10 && sum >= 0.75 * busy * cpuCount)
            return TopCpuScale.Irix;
        if (previous == null || intervalSeconds <= 0)
            return null;
        return ByTimeGrowth(frame, previous, cpuCount, intervalSeconds);
    }

    /// <summary>A displayed procps %CPU in percent of one core.</summary>
    public static double ToPctOfOneCore(double displayed, TopCpuScale scale, int cpuCount) =>
        scale == TopCpuScale.Solaris ? displayed * cpuCount : displayed;

    private static TopCpuScale? ByTimeGrowth(TopFrame frame, TopFrame previous, int cpuCount, double intervalSeconds)
    {
        var before = new Dictionary<(int, string, string), double>();
        foreach (var r in previous.Rows)
            if (r.TimeSeconds is { } t)
                before[(r.Pid, r.User, r.Command)] = t;
        double displayed = 0, grown = 0;
        foreach (var r in frame.Rows)
            if (r.TimeSeconds is { } t && r.CpuPct is { } pct && before.TryGetValue((r.Pid, r.User, r.Command), out var t0) && t > t0)
            {
                displayed += pct;
                grown += t - t0;
            }
        if (grown < 0.5)
            return null; // too little CPU to tell
        var ratio = displayed / (grown / intervalSeconds * 100);
        var irix = Math.Abs(Math.Log(ratio));
        var solaris = Math.Abs(Math.Log(ratio * cpuCount));
        // Only a ratio within 25 % of one of the two answers counts: a frame delayed on a loaded machine skews
        // the measured interval and must not vote.
        if (Math.Min(irix, solaris) > Math.Log(1.25))
            return null;
        return irix <= solaris ? TopCpuScale.Irix : TopCpuScale.Solaris;
    }
}
