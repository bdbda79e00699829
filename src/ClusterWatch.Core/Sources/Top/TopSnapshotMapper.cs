using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Sources.Top;

/// <summary>Where and when a frame was read, for <see cref="TopSnapshotMapper"/>.</summary>
/// <param name="Node">Node name.</param>
/// <param name="RunId">Identifies the top run: a new run resets every baseline (its first frame measures nothing).</param>
/// <param name="Tick">The watcher's tick (import: the frame's time).</param>
/// <param name="ClockSeconds">A monotonic clock of the frame's arrival, in seconds, consistent with top's own interval.</param>
/// <param name="CpuCount">Online CPUs of the node.</param>
/// <param name="Scale">Irix or Solaris mode of the node's top.</param>
/// <param name="NoCpu">The interval can't be measured (a frame already used, or a run's first frame).</param>
public sealed record TopFrameContext(string Node, string RunId, DateTimeOffset Tick, double ClockSeconds, int CpuCount, TopCpuScale Scale, bool NoCpu = false);

/// <summary>
/// A parsed frame → the snapshot the CPU-delta tracker takes. top shows no start time and no uid: StartTicks is 0
/// (identity is pid, user, command with a TIME+ that never goes back) and Uid is -1 unless the user is a bare number.
/// CPU comes from top's own %CPU over its interval (ReportedCpuPct), converted to percent of one core.
/// </summary>
public static class TopSnapshotMapper
{
    public static NodeSnapshot ToSnapshot(TopFrame frame, TopFrameContext ctx)
    {
        var n = Math.Max(1, ctx.CpuCount);
        var threads = frame.Summary.ThreadsMode;
        var processes = new RawProcess[frame.Rows.Count];
        for (var i = 0; i < processes.Length; i++)
        {
            var r = frame.Rows[i];
            var pct = r.CpuPctOfNode is { } ofNode ? ofNode * n : TopCpuScales.ToPctOfOneCore(r.CpuPct ?? 0, ctx.Scale, n);
            // Threads share their process's memory: summing it per thread would count it once per thread.
            var rss = threads ? 0 : (r.ResKib ?? 0) * 1024;
            processes[i] = new RawProcess(
                r.Pid, r.Ppid ?? -1, 0, r.Uid ?? -1, r.User, CommandName(r), r.State, r.TimeSeconds ?? 0, 0, rss, pct);
        }
        var s = frame.Summary;
        var flags = SampleFlags.None;
        if (threads)
            flags |= SampleFlags.ThreadsMode;
        if (ctx.NoCpu || !frame.UseForCpu)
            flags |= SampleFlags.NoCpu;
        if (frame.Flavor == TopFlavor.Busybox || !frame.Columns.Contains("RES"))
            flags |= SampleFlags.Partial; // no resident memory column: RSS unknown
        var total = (s.MemTotalKib ?? 0) * 1024;
        var avail = (s.MemAvailKib ?? s.MemFreeKib ?? s.MemTotalKib ?? 0) * 1024;
        return new NodeSnapshot(
            ctx.Node, ctx.RunId, ctx.Tick, ctx.ClockSeconds, n, 0, 0, total, Math.Min(total, avail), processes, processes.Length,
            flags, ReportedCpuBusyPct: s.BusyPctOfNode is { } busy ? busy * n : null);
    }

    /// <summary>procps shows the command name (comm) without -c; busybox shows the command line: keep only its name.</summary>
    private static string CommandName(TopRow r)
    {
        if (r.Comm != null)
            return r.Comm;
        if (r.Ppid == null)
            return r.Command;
        var first = r.Command.Split(' ', 2)[0];
        var slash = first.LastIndexOf('/');
        return slash >= 0 && slash < first.Length - 1 ? first[(slash + 1)..] : first;
    }
}
