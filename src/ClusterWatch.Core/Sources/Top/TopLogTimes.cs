namespace ClusterWatch.Core.Sources.Top;

/// <summary>
/// Pure helpers for recorded `top -b -d N` logs: the frames' wall-clock times (the "top - HH:MM:SS" clock on a given
/// date, rolling over at midnight), the log's interval, and the node's CPU count when the log does not say it.
/// </summary>
public static class TopLogTimes
{
    /// <summary>
    /// UTC time of every frame (null for a frame without a clock). The clock is the node's local time: a clock
    /// earlier than the one before means midnight passed. <paramref name="utcOffset"/> is the node's offset from UTC.
    /// </summary>
    public static DateTimeOffset?[] FrameTimes(IReadOnlyList<TopFrame> frames, DateOnly date, TimeSpan utcOffset)
    {
        var result = new DateTimeOffset?[frames.Count];
        var day = date.ToDateTime(TimeOnly.MinValue);
        TimeSpan? previous = null;
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].Summary.Clock is not { } clock)
                continue;
            if (previous is { } p && clock < p)
                day = day.AddDays(1);
            previous = clock;
            result[i] = new DateTimeOffset(day + clock, utcOffset).ToUniversalTime();
        }
        return result;
    }

    /// <summary>The log's interval in whole seconds: the median gap between consecutive frames (at least 1).</summary>
    public static int IntervalSeconds(IReadOnlyList<DateTimeOffset?> times)
    {
        var gaps = new List<double>();
        for (var i = 1; i < times.Count; i++)
            if (times[i] is { } b && times[i - 1] is { } a && b > a)
                gaps.Add((b - a).TotalSeconds);
        if (gaps.Count == 0)
            return 1;
        gaps.Sort();
        return Math.Max(1, (int)Math.Round(gaps[gaps.Count / 2]));
    }

    /// <summary>
    /// The node's CPU count as the log suggests it: in Irix mode the rows' %CPU sum is about the busy share × CPUs.
    /// Rows miss short-lived processes, so the 90th percentile of sum/busy over busy frames is taken. Null when no
    /// frame is busy enough to tell.
    /// </summary>
    public static int? EstimateCpuCount(IReadOnlyList<TopFrame> frames)
    {
        var ratios = new List<double>();
        foreach (var f in frames)
        {
            if (!f.UseForCpu || f.Summary.BusyPctOfNode is not { } busy || busy < 20)
                continue;
            var sum = f.Rows.Sum(r => r.CpuPct ?? 0);
            if (sum > 0)
                ratios.Add(sum / busy);
        }
        if (ratios.Count == 0)
            return null;
        ratios.Sort();
        return Math.Max(1, (int)Math.Round(ratios[(int)(0.9 * (ratios.Count - 1))]));
    }
}
