using System.Data;
using System.Text;
using MySqlConnector;

namespace ClusterWatch.Core.Storage.MySql;

/// <summary>How rows reach MySQL fast: LOAD DATA LOCAL (MySqlBulkCopy) for large plain inserts, multi-row INSERT
/// statements otherwise, each statement kept under max_allowed_packet whatever the number of rows.</summary>
internal static class MySqlRows
{
    /// <summary>From this many rows a bulk load beats a multi-row INSERT (its own round trips cost more below).</summary>
    public const int BulkThreshold = 64;

    /// <summary>Cuts text longer than its column (strict mode would refuse the whole sample: error 1406).</summary>
    public static object?[] Fit(string[] columns, object?[] row)
    {
        object?[]? copy = null;
        for (var i = 0; i < columns.Length; i++)
        {
            if (row[i] is string s && MySqlMigrations.TextLimits.TryGetValue(columns[i], out var max) && s.Length > max)
            {
                copy ??= (object?[])row.Clone();
                var cut = char.IsHighSurrogate(s[max - 1]) ? max - 1 : max; // never split an emoji
                copy[i] = s[..cut];
            }
        }
        return copy ?? row;
    }

    /// <summary>Orders rows by their key columns, so two writers upserting the same rows lock them in the same order.</summary>
    public static void SortByKey(List<object?[]> rows, string[] columns, string[] keys)
    {
        var at = keys.Select(k => Array.IndexOf(columns, k)).ToArray();
        rows.Sort((a, b) =>
        {
            foreach (var i in at)
            {
                var c = (a[i], b[i]) switch
                {
                    (string x, string y) => string.CompareOrdinal(x, y),
                    (IComparable x, var y) when y != null && x.GetType() == y.GetType() => x.CompareTo(y),
                    _ => 0,
                };
                if (c != 0)
                    return c;
            }
            return 0;
        });
    }

    public static async Task BulkLoadAsync(MySqlConnection c, MySqlTransaction tx, string table, string[] columns, List<object?[]> rows, CancellationToken cancellationToken)
    {
        var data = new DataTable(table);
        foreach (var col in columns)
            data.Columns.Add(col, typeof(object));
        data.BeginLoadData();
        foreach (var r in rows)
            data.Rows.Add(r);
        data.EndLoadData();
        var bulk = new MySqlBulkCopy(c, tx) { DestinationTableName = table, ConflictOption = MySqlBulkLoaderConflictOption.Ignore, BulkCopyTimeout = 120 };
        for (var i = 0; i < columns.Length; i++)
            bulk.ColumnMappings.Add(new MySqlBulkCopyColumnMapping(i, columns[i]));
        await bulk.WriteToServerAsync(data, cancellationToken);
    }

    public static async Task MultiRowInsertAsync(MySqlConnection c, MySqlTransaction tx, string table, string[] columns, List<object?[]> rows, string? upsert, long maxPacketBytes, CancellationToken cancellationToken)
    {
        // Leave room for the statement head and escaping: a batch's estimated text stays under half the packet.
        var budget = Math.Max(16 * 1024, maxPacketBytes / 2);
        var start = 0;
        while (start < rows.Count)
        {
            long size = 256 + (upsert?.Length ?? 0);
            var end = start;
            while (end < rows.Count && (end == start || size + EstimateBytes(rows[end]) < budget) && end - start < 2000)
                size += EstimateBytes(rows[end++]);
            await using var cmd = new MySqlCommand(Sql(table, columns, end - start, upsert), c, tx);
            var p = 0;
            for (var r = start; r < end; r++)
                foreach (var v in rows[r])
                    cmd.Parameters.Add(new MySqlParameter("@p" + p++, v ?? DBNull.Value));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            start = end;
        }
    }

    private static long EstimateBytes(object?[] row)
    {
        long n = 4;
        foreach (var v in row)
            n += v is string s ? 2 * Encoding.UTF8.GetByteCount(s) + 4 : 24; // worst case every byte escaped
        return n;
    }

    private static string Sql(string table, string[] columns, int rows, string? upsert) =>
        SqlUsageStore.InsertSql(table, columns, rows) + (upsert == null ? "" : " " + upsert);
}
