namespace ClusterWatch.Core.Model;

/// <summary>Flags carried by a snapshot and by the sample made from it (stored as an integer bit set).</summary>
[Flags]
public enum SampleFlags
{
    None = 0,
    /// <summary>Some of /proc was unreadable (hidepid, EACCES): per-user totals may be low.</summary>
    Partial = 1,
    /// <summary>The node's busy CPU was clearly less than what was attributed to processes (a residue below zero).</summary>
    NegativeResidue = 2,
    /// <summary>Rows are threads (top -H), not processes.</summary>
    ThreadsMode = 4,
    /// <summary>More than half of the node's busy CPU could not be attributed to a process.</summary>
    UnattributedHigh = 8,
    /// <summary>The source could not measure its own interval (e.g. first top frame).</summary>
    NoCpu = 16,
}

/// <summary>
/// Everything a source read from one node at one tick: cumulative counters, measured on the node's own clock.
/// </summary>
/// <param name="Node">Configured node name.</param>
/// <param name="BootId">Kernel boot id (/proc/sys/kernel/random/boot_id); a change resets every baseline.</param>
/// <param name="Tick">The watcher's tick this snapshot answers (UTC, a multiple of the sample interval).</param>
/// <param name="NodeClockSeconds">The node's monotonic clock (/proc/uptime), in seconds: elapsed time comes from here.</param>
/// <param name="CpuCount">Online CPUs of the node.</param>
/// <param name="CpuBusySeconds">Cumulative busy CPU time of all CPUs (/proc/stat: total − idle − iowait), seconds.</param>
/// <param name="CpuTotalSeconds">Cumulative total CPU time of all CPUs, seconds.</param>
/// <param name="MemTotalBytes">MemTotal.</param>
/// <param name="MemAvailableBytes">MemAvailable.</param>
/// <param name="Processes">The processes, in any order; the array may be reused by the source after the snapshot is consumed.</param>
/// <param name="ProcessCount">How many entries of <paramref name="Processes"/> are valid.</param>
/// <param name="Flags">Partial, threads mode …</param>
/// <param name="VanishedCount">Processes that disappeared while being read (normal, counted, not an error).</param>
/// <param name="ReportedCpuBusyPct">Node busy CPU over the interval as the source measured it (top's %Cpu(s) × CPUs); null for /proc.</param>
/// <param name="ClockTicksPerSecond">USER_HZ of the node: converts <see cref="RawProcess.StartTicks"/> to seconds since boot.</param>
public sealed record NodeSnapshot(
    string Node,
    string BootId,
    DateTimeOffset Tick,
    double NodeClockSeconds,
    int CpuCount,
    double CpuBusySeconds,
    double CpuTotalSeconds,
    long MemTotalBytes,
    long MemAvailableBytes,
    RawProcess[] Processes,
    int ProcessCount,
    SampleFlags Flags = SampleFlags.None,
    int VanishedCount = 0,
    double? ReportedCpuBusyPct = null,
    double ClockTicksPerSecond = 100)
{
    /// <summary>The valid processes.</summary>
    public ReadOnlySpan<RawProcess> ProcessSpan => Processes.AsSpan(0, ProcessCount);
}
