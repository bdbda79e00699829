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
            if (row[i] is string s && MySqlMigrations.TextLimits.TryGetValue(columns[i], out var max) && FitLength(s, max) < s.Length)
            {
                copy ??= (object?[])row.Clone();
                copy[i] = s[..FitLength(s, max)];
            }
        }
        return copy ?? row;
    }

    /// <summary>How much of <paramref name="s"/> fits in <paramref name="max"/> characters, never splitting an emoji.</summary>
    public static int FitLength(string s, int max) =>
        s.Length <= max ? s.Length : char.IsHighSurrogate(s[max - 1]) ? max - 1 : max;

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

    /// <summary>
    /// LOAD DATA LOCAL INFILE from an in-memory TSV (<see cref="TsvWriter"/>, MySqlBulkLoader, inside the writer's
    /// transaction), written straight from the sample records: on a machine whose cores the database server needs too,
    /// every client millisecond counts. Rows whose key already exists are ignored (idempotent re-sends).
    /// </summary>
    public static async Task BulkLoadAsync(MySqlConnection c, string table, string[] columns, SampleRows rows, CancellationToken cancellationToken)
    {
        using var tsv = new TsvWriter(columns, rows.Count * 128);
        rows.WriteTo(tsv);
        await using var source = tsv.OpenRead();
        var loader = new MySqlBulkLoader(c)
        {
            TableName = table, Local = true, SourceStream = source, CharacterSet = "utf8mb4", FieldTerminator = "\t",
            LineTerminator = "\n", EscapeCharacter = '\\', ConflictOption = MySqlBulkLoaderConflictOption.Ignore, Timeout = 120,
        };
        loader.Columns.AddRange(columns);
        await loader.LoadAsync(cancellationToken);
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
