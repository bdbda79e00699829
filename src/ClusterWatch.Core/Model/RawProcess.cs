namespace ClusterWatch.Core.Model;

/// <summary>
/// One process as a source saw it at one snapshot: cumulative counters, in base units.
/// A value type so the hot /proc reader can fill a reused array without allocating per process.
/// </summary>
/// <param name="Pid">Process id (for top in threads mode: the thread id).</param>
/// <param name="ParentPid">Parent pid, or -1 when the source does not show it (top).</param>
/// <param name="StartTicks">Start time in clock ticks since boot (/proc/PID/stat field 22); 0 when unknown (top).</param>
/// <param name="Uid">Real uid, or -1 when unknown (top shows only a name).</param>
/// <param name="User">User name as resolved on the node (a uid with no name stays its number as text).</param>
/// <param name="Command">Command name (comm), never the command line.</param>
/// <param name="State">One-letter process state (R, S, D, Z, …).</param>
/// <param name="CpuSeconds">Cumulative own CPU time, utime+stime, in seconds.</param>
/// <param name="ChildrenCpuSeconds">Cumulative CPU of reaped children, cutime+cstime, in seconds; 0 when unknown.</param>
/// <param name="RssBytes">Resident set size in bytes.</param>
/// <param name="ReportedCpuPct">CPU % of one core over the interval as the source itself measured it (top); null for /proc.</param>
public readonly record struct RawProcess(
    int Pid,
    int ParentPid,
    long StartTicks,
    int Uid,
    string User,
    string Command,
    char State,
    double CpuSeconds,
    double ChildrenCpuSeconds,
    long RssBytes,
    double? ReportedCpuPct = null)
{
    /// <summary>Own plus reaped children's CPU: what the parent's cutime grows by when this process is reaped.</summary>
    public double TotalCpuSeconds => CpuSeconds + ChildrenCpuSeconds;
}
