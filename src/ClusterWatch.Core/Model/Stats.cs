namespace ClusterWatch.Core.Model;

/// <summary>What a window or history row describes.</summary>
public enum ItemKind
{
    User,
    Process,
    Command,
    /// <summary>The node's own totals (busy CPU from /proc/stat, used memory): one row per window and cycle, so cluster and node charts over long ranges read 1 row per node, not 1 per user.</summary>
    Node,
}

/// <summary>Text form of <see cref="ItemKind"/> as stored ("user", "process", "command", "node"); Parse accepts only the first three (what a report can rank).</summary>
public static class ItemKinds
{
    public static string ToText(this ItemKind kind) => kind switch
    {
        ItemKind.User => "user",
        ItemKind.Process => "process",
        ItemKind.Node => "node",
        _ => "command",
    };

    public static ItemKind Parse(string text) => text switch
    {
        "user" => ItemKind.User,
        "process" => ItemKind.Process,
        "command" => ItemKind.Command,
        _ => throw new FormatException($"unknown item kind '{text}' (expected user, process or command)"),
    };
}

/// <summary>Average, maximum and the last three values of one metric over a window (last1 = newest; null when fewer samples).</summary>
public readonly record struct MetricStats(double Avg, double Max, double? Last1, double? Last2, double? Last3);

/// <summary>
/// Statistics of one user, process or command over one window [Start, End).
/// </summary>
/// <param name="Node">Node.</param>
/// <param name="Start">Window start (UTC, aligned).</param>
/// <param name="End">Window end (exclusive).</param>
/// <param name="Kind">user / process / command.</param>
/// <param name="ItemKey">User name, command name, or "pid:start" (see <see cref="ProcessUsage.ItemKey"/>).</param>
/// <param name="User">User (for a command: empty).</param>
/// <param name="Command">Command (for a user: empty).</param>
/// <param name="Pid">Pid for a process row, else 0.</param>
/// <param name="Samples">Samples covered (a process: the samples in which it was alive).</param>
/// <param name="SampleSeconds">The sample interval, seconds (Samples × SampleSeconds = time covered).</param>
/// <param name="Cpu">CPU % of one core (own + children's credit).</param>
/// <param name="Rss">RSS bytes.</param>
/// <param name="MemPct">% of RAM.</param>
public sealed record WindowRow(
    string Node,
    DateTimeOffset Start,
    DateTimeOffset End,
    ItemKind Kind,
    string ItemKey,
    string User,
    string Command,
    int Pid,
    int Samples,
    int SampleSeconds,
    MetricStats Cpu,
    MetricStats Rss,
    MetricStats MemPct);

/// <summary>Average and maximum over a whole cycle (sample-weighted) and the averages of its windows (null: no sample in that window).</summary>
public readonly record struct CycleStats(double Avg, double Max, double? W1, double? W2, double? W3);

/// <summary>One history row: a user, process or command over one cycle [Start, End).</summary>
public sealed record HistoryRow(
    string Node,
    DateTimeOffset Start,
    DateTimeOffset End,
    ItemKind Kind,
    string ItemKey,
    string User,
    string Command,
    int Pid,
    int Samples,
    int SampleSeconds,
    CycleStats Cpu,
    CycleStats Rss,
    CycleStats MemPct);
