using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

/// <summary>
/// The read side the dashboard needs beyond <see cref="IUsageStore"/>: time series at a chosen resolution, the top
/// items of the windows overlapping a time range, and each node's last sample time. Implemented once, in portable
/// SQL, by <see cref="SqlUsageStore"/> (times are BIGINT epoch seconds in every dialect).
/// </summary>
public interface IUsageQueries
{
    /// <summary>Rows of one series, one per stored timestamp (sums over the matching nodes and items), oldest first.</summary>
    Task<IReadOnlyList<SeriesRow>> SeriesAsync(SeriesQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The same series split by node and merged into buckets of <paramref name="stepSeconds"/> (as
    /// <c>SeriesBuckets.Merge</c> merges a series): one row per (node, bucket), ordered by node then time. A row's Time is
    /// its bucket's first stored timestamp, the averages are over the bucket's timestamps, the maxima the largest, Rows
    /// the number of timestamps. For the cluster, user and command scopes (a node or process series is one node's).
    /// </summary>
    Task<IReadOnlyList<NodeSeriesRow>> SeriesByNodeAsync(SeriesQuery query, long stepSeconds, CancellationToken cancellationToken);

    /// <summary>
    /// Who ran a process and what it was, from the rows a process series reads (the same table and range): null when
    /// there are none. For the process view's title.
    /// </summary>
    Task<ProcessNames?> ProcessNamesAsync(SeriesQuery query, CancellationToken cancellationToken);

    /// <summary>Top items of the windows that overlap [From, To) (a clicked point), by average CPU.</summary>
    Task<IReadOnlyList<WindowTopItem>> WindowTopAsync(WindowTopQuery query, CancellationToken cancellationToken);

    /// <summary>Top items of each node's latest stored window (the "now" of a store served without a watcher).</summary>
    Task<IReadOnlyList<WindowTopItem>> LatestWindowTopAsync(WindowTopQuery query, CancellationToken cancellationToken);

    /// <summary>Each node's newest stored sample (absent: the node has none).</summary>
    Task<IReadOnlyDictionary<string, LatestSample>> LatestSamplesAsync(CancellationToken cancellationToken);
}

/// <summary>The user and command name of a process as stored (untrusted text from the node).</summary>
public sealed record ProcessNames(string User, string Command);

/// <summary>A node's newest stored sample: its time, busy CPU (% of one core), used memory and process count.</summary>
public sealed record LatestSample(DateTimeOffset Time, double CpuBusyPct, long MemUsedBytes, int ProcessCount);

/// <summary>Which table a series comes from: 5 s rows, windows, or history (cycles).</summary>
public enum SeriesResolution
{
    Samples,
    Windows,
    History,
}

/// <summary>What a series sums: the whole cluster, one node, one user, one command, or one process.</summary>
public enum SeriesScope
{
    Cluster,
    Node,
    User,
    Command,
    Process,
}

/// <summary>
/// A series question. <paramref name="Item"/> is the user name, command name or process key ("pid:start") for those
/// scopes; <paramref name="Node"/> restricts to one node (required for a process). Times: [From, To) on the row's
/// timestamp (a sample's tick, a window's or cycle's start).
/// </summary>
public sealed record SeriesQuery(SeriesScope Scope, SeriesResolution Resolution, DateTimeOffset From, DateTimeOffset To, string? Node = null, string? Item = null);

/// <summary>
/// One stored timestamp of a series. CPU in % of one core, memory in bytes: for cluster/node series the nodes' busy CPU
/// (/proc/stat) and used memory (MemTotal − MemAvailable), else the RSS of the matching processes. Avg = Max for 5 s rows; for windows/history, Max sums each row's
/// maximum (an upper bound when several nodes or items are summed).
/// </summary>
public sealed record SeriesRow(long Time, double CpuAvgPct, double CpuMaxPct, double MemAvgBytes, double MemMaxBytes, int Rows);

/// <summary>One node's bucket of a series split by node.</summary>
public sealed record NodeSeriesRow(string Node, SeriesRow Row);

/// <summary>A top list question over the windows table; Top ≤ 1000.</summary>
public sealed record WindowTopQuery(ItemKind Kind, DateTimeOffset From, DateTimeOffset To, string? Node = null, string? User = null, string? Command = null, int Top = 10);

/// <summary>One item of a window top list: averages are sample-weighted over the windows found, per node.</summary>
public sealed record WindowTopItem(
    ItemKind Kind,
    string Node,
    string Key,
    string User,
    string Command,
    int Pid,
    double CpuAvgPct,
    double CpuMaxPct,
    double RssAvgBytes,
    double MemAvgPct,
    long WindowStart,
    long WindowEnd);
