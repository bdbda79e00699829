using System.Data.Common;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ClusterWatch.Core.Storage;

/// <summary>The embedded default store: one SQLite file in WAL mode (readers never block the writer).</summary>
public sealed class SqliteUsageStore : SqlUsageStore
{
    private readonly string _connectionString;

    public SqliteUsageStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public override string Description => $"SQLite {Path}";

    protected override IReadOnlyList<string> Migrations => SqliteMigrations.All;

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;";
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return c;
    }

    protected override async Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // SQLite serialises writers; an exclusive lock file keeps a second watcher from interleaving migrations.
        var lockPath = Path + ".migrate.lock";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    protected override string UpsertClause(string[] keys, IEnumerable<string> updateColumns) =>
        $"ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET {string.Join(", ", updateColumns.Select(c => $"{c} = excluded.{c}"))}";

    protected override string PruneBatchSql(string table, string column) =>
        $"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {column} < @p0 LIMIT {PruneBatchSize})";

    protected override Task InsertRowsAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string[]? upsertKeys, CancellationToken cancellationToken)
    {
        // In-process SQLite: one prepared statement, values bound through SQLitePCLRaw directly. ADO.NET's parameter
        // objects cost about 3× the insert itself (measured: 34k against 107k rows/s, bench/ingest-vs-sqlite3.sh).
        var handle = ((SqliteConnection)c).Handle!;
        var sql = InsertSql(table, columns, 1) + (upsertKeys == null ? "" : " " + UpsertClause(upsertKeys, columns.Except(upsertKeys)));
        Check(handle, raw.sqlite3_prepare_v2(handle, sql, out var stmt));
        using (stmt)
        {
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    var rc = row[i] switch
                    {
                        null => raw.sqlite3_bind_null(stmt, i + 1),
                        long l => raw.sqlite3_bind_int64(stmt, i + 1, l),
                        int n => raw.sqlite3_bind_int64(stmt, i + 1, n),
                        double d => raw.sqlite3_bind_double(stmt, i + 1, d),
                        string t => raw.sqlite3_bind_text(stmt, i + 1, t),
                        var other => raw.sqlite3_bind_text(stmt, i + 1, Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture)),
                    };
                    Check(handle, rc);
                }
                var step = raw.sqlite3_step(stmt);
                if (step != raw.SQLITE_DONE)
                    Check(handle, step);
                raw.sqlite3_reset(stmt);
            }
        }
        return Task.CompletedTask;
    }

    private static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK && rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc);
    }

    private sealed class FileLock(FileStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
