using System.Globalization;

namespace ClusterWatch.Core.Storage;

/// <summary>Row count and time span of one table, for `clusterwatch db check`.</summary>
public sealed record TableStats(string Table, long Rows, DateTimeOffset? Oldest, DateTimeOffset? Newest);

public abstract partial class SqlUsageStore
{
    private static readonly (string Table, string? Time)[] CheckedTables =
    [
        ("nodes", null), ("samples", "ts"), ("user_samples", "ts"), ("process_samples", "ts"),
        ("windows", "window_start_ts"), ("history", "cycle_start_ts"), ("history_hourly", "hour_start_ts"),
    ];

    /// <summary>Rows, oldest and newest time of every table (COUNT(*) scans: meant for an operator's check, not a loop).</summary>
    public async Task<IReadOnlyList<TableStats>> GetTableStatsAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var list = new List<TableStats>();
        foreach (var (table, time) in CheckedTables)
        {
            var sql = time == null ? $"SELECT COUNT(*), NULL, NULL FROM {table}" : $"SELECT COUNT(*), MIN({time}), MAX({time}) FROM {table}";
            await using var cmd = Command(c, null, sql);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            await r.ReadAsync(cancellationToken);
            list.Add(new TableStats(table, Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Time(r.GetValue(1)), Time(r.GetValue(2))));
        }
        return list;
    }

    private static DateTimeOffset? Time(object v) =>
        v is null or DBNull ? null : DateTimeOffset.FromUnixTimeSeconds(Convert.ToInt64(v, CultureInfo.InvariantCulture));
}
