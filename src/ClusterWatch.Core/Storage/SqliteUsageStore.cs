using System.Data.Common;
using Microsoft.Data.Sqlite;

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

    protected override async Task InsertRowsAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string[]? upsertKeys, CancellationToken cancellationToken)
    {
        // In-process SQLite: one prepared single-row statement re-bound per row beats parsing multi-row SQL.
        await using var cmd = Command(c, tx, InsertSql(table, columns, 1) + (upsertKeys == null ? "" : " " + UpsertClause(upsertKeys, columns.Except(upsertKeys))), new object?[columns.Length]);
        cmd.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
                cmd.Parameters[i].Value = row[i] ?? DBNull.Value;
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private sealed class FileLock(FileStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
