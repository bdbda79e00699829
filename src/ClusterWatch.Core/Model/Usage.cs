namespace ClusterWatch.Core.Model;

/// <summary>
/// One process's use over one interval. CPU in percent of one core (200 = two busy cores), memory in bytes and % of RAM.
/// </summary>
/// <param name="Pid">Process id; 0 for the per-user "(other)" row.</param>
/// <param name="StartTicks">Start time in clock ticks since boot (identity with the pid); 0 when unknown.</param>
/// <param name="Uid">Real uid, -1 when unknown.</param>
/// <param name="User">User name.</param>
/// <param name="Command">Command name; "(other)" for the summed row.</param>
/// <param name="State">Process state letter.</param>
/// <param name="CpuPct">Own CPU (utime+stime delta) over the interval.</param>
/// <param name="ChildrenCpuPct">Credit for reaped children over the interval (see PRODUCT.md).</param>
/// <param name="RssBytes">Resident memory.</param>
/// <param name="MemPct">RSS as percent of the node's RAM.</param>
/// <param name="HasBaseline">False when the process was seen for the first time and did not start inside the interval: its CPU is unknown (stored as 0).</param>
public sealed record ProcessUsage(
    int Pid,
    long StartTicks,
    int Uid,
    string User,
    string Command,
    char State,
    double CpuPct,
    double ChildrenCpuPct,
    long RssBytes,
    double MemPct,
    bool HasBaseline = true)
{
    /// <summary>Name of the summed row for the processes that the volume rule does not keep.</summary>
    public const string OtherCommand = "(other)";

    /// <summary>Own CPU plus children's credit.</summary>
    public double TotalCpuPct => CpuPct + ChildrenCpuPct;

    /// <summary>Stable key of this process inside its node: pid and start time, or the "(other)" row of a user.</summary>
    public string ItemKey => Pid == 0 && Command == OtherCommand ? $"(other):{User}" : $"{Pid}:{StartTicks}";
}

/// <summary>One user's use on one node over one interval: the sum over their processes plus children's credit.</summary>
public sealed record UserUsage(
    string User,
    int Uid,
    double CpuPct,
    double OwnCpuPct,
    double ChildrenCpuPct,
    long RssBytes,
    double MemPct,
    int ProcessCount);

/// <summary>
/// One node's sample: the interval ending at <see cref="Time"/>. What the store writes in one transaction.
/// </summary>
/// <param name="Node">Node name.</param>
/// <param name="Seq">Per-node count sequence, assigned when the sample was taken.</param>
/// <param name="Time">End of the interval (the tick), UTC.</param>
/// <param name="IntervalSeconds">Elapsed time on the node's clock.</param>
/// <param name="CpuBusyPct">Node busy CPU, % of one core.</param>
/// <param name="MemUsedBytes">MemTotal − MemAvailable.</param>
/// <param name="MemTotalBytes">MemTotal.</param>
/// <param name="CpuCount">CPUs.</param>
/// <param name="ProcessCount">Processes seen (all of them, before the volume rule).</param>
/// <param name="UnattributedCpuPct">Busy CPU not attributed to any process or reaped child, never negative.</param>
/// <param name="Flags">Sample flags.</param>
/// <param name="Users">Per-user sums (exact: computed before the volume rule).</param>
/// <param name="Processes">Processes kept by the volume rule plus one "(other)" row per user.</param>
public sealed record NodeSample(
    string Node,
    long Seq,
    DateTimeOffset Time,
    double IntervalSeconds,
    double CpuBusyPct,
    long MemUsedBytes,
    long MemTotalBytes,
    int CpuCount,
    int ProcessCount,
    double UnattributedCpuPct,
    SampleFlags Flags,
    IReadOnlyList<UserUsage> Users,
    IReadOnlyList<ProcessUsage> Processes);
