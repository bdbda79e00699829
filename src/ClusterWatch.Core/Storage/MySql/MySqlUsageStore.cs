using System.Data.Common;
using System.Globalization;
using MySqlConnector;

namespace ClusterWatch.Core.Storage.MySql;

/// <summary>
/// The MySQL/MariaDB store. Same tables and semantics as SQLite (see <see cref="MySqlMigrations"/>). Every session runs
/// at time zone '+00:00'; migrations run under GET_LOCK; a pooled connection is opened per write batch (case C30) and
/// deadlocks, lock waits and lost connections are retried (case C28); process rows go in as bulk loads or multi-row
/// inserts sized below max_allowed_packet. The password comes from the caller (environment or file), never from the
/// connection string, and never appears in <see cref="Description"/>.
/// </summary>
public sealed class MySqlUsageStore : SqlUsageStore
{
    private readonly string _connectionString;
    private string? _collation;
    private long _maxPacketBytes = 4 << 20;
    private bool _bulkLoad;

    /// <param name="connectionString">Server, port, database, user and options; must not hold a password.</param>
    /// <param name="password">The password (from CLUSTERWATCH_DB_PASSWORD or Store:PasswordFile), or null.</param>
    public MySqlUsageStore(string connectionString, string? password)
    {
        var b = Parse(connectionString);
        if (!string.IsNullOrEmpty(b.Password))
            throw new ArgumentException("the connection string holds a password; put it in CLUSTERWATCH_DB_PASSWORD or Store:PasswordFile instead", nameof(connectionString));
        Description = $"MySQL {b.UserID}@{b.Server}:{b.Port}/{b.Database}";
        if (string.IsNullOrEmpty(b.Database))
            throw new ArgumentException("the connection string names no database (Database=…)", nameof(connectionString));
        b.Password = password ?? "";
        b.CharacterSet = "utf8mb4";
        b.ConnectionReset = true;
        b.AllowLoadLocalInfile = true;
        b.AllowUserVariables = false;
        if (!connectionString.Contains("ConnectionLifeTime", StringComparison.OrdinalIgnoreCase) && !connectionString.Contains("Connection Lifetime", StringComparison.OrdinalIgnoreCase))
            b.ConnectionLifeTime = 300; // below any sane wait_timeout (C30: ops lowered it to 600 s)
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
            b.ConnectionTimeout = 5;
        _connectionString = b.ConnectionString;
        Database = b.Database;
    }

    public override string Description { get; }

    public string Database { get; }

    protected override IReadOnlyList<string> Migrations => MySqlMigrations.All(_collation ?? "utf8mb4_bin");

    // C30: not one connection for the process lifetime — the writer is replaced every few minutes (below any sane
    // wait_timeout) and after any failure, and a lost connection is retried on a fresh one. Keeping it between
    // samples saves the pool's reset and the time zone round trips on every sample.
    protected override TimeSpan WriterMaxAge => TimeSpan.FromMinutes(4);

    // C28: 50, 150, 400 ms (jittered), then the caller (the spool) keeps the batch and retries later.
    protected override IReadOnlyList<TimeSpan> RetryDelays { get; } =
        [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(400)];

    protected override bool IsTransient(Exception e) => MySqlErrors.IsTransient(e);

    protected override int PruneBatchSize => 2000;

    protected override string PruneBatchSql(string table, string column) =>
        $"DELETE FROM {table} WHERE {column} < @p0 LIMIT {PruneBatchSize}";

    protected override string UpsertClause(string[] keys, IEnumerable<string> updateColumns) =>
        "ON DUPLICATE KEY UPDATE " + string.Join(", ", updateColumns.Select(c => $"{c} = VALUES({c})"));

    // DDL is not transactional here: a statement cut off by a timeout would leave a half-applied version behind
    // (version 5 rebuilds two history indexes: minutes on tens of millions of rows).
    protected override int MigrationTimeoutSeconds => 0;

    protected override string ProcessKeySql => "CASE WHEN pid = 0 THEN CONCAT('(other):', username) ELSE CONCAT(pid, ':', start_ticks) END";

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var c = new MySqlConnection(_connectionString);
        try
        {
            await c.OpenAsync(cancellationToken);
            await using (var cmd = new MySqlCommand("SET time_zone = '+00:00'", c))
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            if (_collation == null)
                await ReadServerFactsAsync(c, cancellationToken);
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    /// <summary>Once per store: the NO PAD binary collation if the server has one, the packet limit, LOCAL INFILE.</summary>
    private async Task ReadServerFactsAsync(MySqlConnection c, CancellationToken cancellationToken)
    {
        await using var cmd = new MySqlCommand(
            "SELECT @@max_allowed_packet, @@local_infile, (SELECT MIN(COLLATION_NAME) FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin'))", c);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        _maxPacketBytes = Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture);
        _bulkLoad = Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture) == 1;
        _collation = r.IsDBNull(2) ? "utf8mb4_bin" : r.GetString(2);
    }

    protected override async Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var name = "clusterwatch.migrate." + Database;
        await using var cmd = new MySqlCommand("SELECT GET_LOCK(@n, 120)", (MySqlConnection)connection);
        cmd.Parameters.AddWithValue("@n", name);
        var got = await cmd.ExecuteScalarAsync(cancellationToken);
        if (got is null or DBNull || Convert.ToInt64(got, CultureInfo.InvariantCulture) != 1)
            throw new TimeoutException($"another watcher has been migrating {Description} for 2 minutes; try again when it is done");
        return new NamedLock((MySqlConnection)connection, name);
    }

    protected override Task InsertRowsAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string[]? upsertKeys, CancellationToken cancellationToken)
    {
        if (rows is SampleRows { Count: >= MySqlRows.BulkThreshold } sampleRows && upsertKeys == null && _bulkLoad)
            return MySqlRows.BulkLoadAsync((MySqlConnection)c, table, columns, sampleRows, cancellationToken);
        var fitted = rows.Select(r => MySqlRows.Fit(columns, r)).ToList();
        if (upsertKeys != null)
            MySqlRows.SortByKey(fitted, columns, upsertKeys); // C28: every writer locks rows in one order
        if (fitted.Count == 0)
            return Task.CompletedTask;
        return MySqlRows.MultiRowInsertAsync((MySqlConnection)c, (MySqlTransaction)tx, table, columns, fitted,
            upsertKeys == null ? null : UpsertClause(upsertKeys, columns.Except(upsertKeys)), _maxPacketBytes, cancellationToken);
    }

    private static MySqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            return new MySqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"not a MySQL connection string ({e.Message}); write it like Server=db;Port=3306;Database=clusterwatch;User ID=clusterwatch", nameof(connectionString), e);
        }
    }

    private sealed class NamedLock(MySqlConnection connection, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using var cmd = new MySqlCommand("SELECT RELEASE_LOCK(@n)", connection);
            cmd.Parameters.AddWithValue("@n", name);
            await cmd.ExecuteScalarAsync();
        }
    }
}
