using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ClusterWatch.IntegrationTests.Top;

/// <summary>Small read helpers over a test's SQLite file.</summary>
internal static class SqliteQuery
{
    public static async Task<T> ScalarAsync<T>(string db, string sql, params object[] args)
    {
        await using var c = new SqliteConnection($"Data Source={db};Pooling=False");
        await c.OpenAsync();
        await using var cmd = Command(c, sql, args);
        var v = await cmd.ExecuteScalarAsync();
        return (T)Convert.ChangeType(v is DBNull or null ? 0 : v, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>Every row of a query as "a|b|c" text, for before/after comparisons.</summary>
    public static async Task<List<string>> RowsAsync(string db, string sql, params object[] args)
    {
        await using var c = new SqliteConnection($"Data Source={db};Pooling=False");
        await c.OpenAsync();
        await using var cmd = Command(c, sql, args);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await r.ReadAsync())
            rows.Add(string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture))));
        return rows;
    }

    /// <summary>The data tables in a stable order (everything an import writes).</summary>
    public static async Task<List<string>> DumpAsync(string db)
    {
        var all = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT * FROM samples ORDER BY node_name, seq",
            "SELECT * FROM user_samples ORDER BY node_name, seq, username",
            "SELECT * FROM process_samples ORDER BY node_name, seq, pid, username, command",
            "SELECT * FROM windows ORDER BY node_name, window_start_ts, kind, item_key",
            "SELECT * FROM history ORDER BY node_name, cycle_start_ts, kind, item_key",
            "SELECT * FROM nodes ORDER BY node_name",
        })
            all.AddRange(await RowsAsync(db, sql));
        return all;
    }

    private static SqliteCommand Command(SqliteConnection c, string sql, object[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < args.Length; i++)
            cmd.Parameters.AddWithValue("@p" + i, args[i]);
        return cmd;
    }
}
