using System.Data.Common;
using System.Globalization;
using System.Text;
using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

/// <summary>
/// What every SQL dialect shares: the write path (one transaction per node sample, idempotent by (node, seq)), upserts
/// of windows and history, migrations under a lock, batch pruning and the queries. A dialect supplies connections,
/// its DDL, its upsert syntax and, if it has one, a faster bulk insert.
/// </summary>
public abstract partial class SqlUsageStore : IUsageStore
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private DbConnection? _writer;

    public abstract string Description { get; }

    /// <summary>The migration scripts; script i brings the schema to version i + 1. Statements are separated by ";\n".</summary>
    protected abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>Opens a new connection, configured for the session (e.g. UTC time zone, pragmas).</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Takes the dialect's migration lock (released when disposed) so two watchers can't migrate at once.</summary>
    protected abstract Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>How long one migration statement may run (0: no limit), e.g. an index rebuilt on a large history.</summary>
    protected virtual int MigrationTimeoutSeconds => 30;

    /// <summary>The dialect's "insert or update on key" suffix for the given columns.</summary>
    protected abstract string UpsertClause(string[] keys, IEnumerable<string> updateColumns);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        await using var _ = await LockForMigrationAsync(c, cancellationToken);
        await ExecAsync(c, null, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_ts BIGINT NOT NULL)", cancellationToken);
        var current = await ReadVersionAsync(c, cancellationToken);
        for (var v = current; v < Migrations.Count; v++)
        {
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            foreach (var stmt in Migrations[v].Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await using var cmd = Command(c, tx, stmt);
                cmd.CommandTimeout = MigrationTimeoutSeconds;
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
            await ExecAsync(c, tx, "INSERT INTO schema_version (version, applied_ts) VALUES (@p0, @p1)", cancellationToken,
                v + 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            await tx.CommitAsync(cancellationToken);
        }
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        try
        {
            return await ReadVersionAsync(c, cancellationToken);
        }
        catch (DbException)
        {
            return 0;
        }
    }

    public async Task<long> GetLastSeqAsync(string node, CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var v = await ScalarAsync(c, "SELECT MAX(seq) FROM samples WHERE node_name = @p0", cancellationToken, node);
        return v is null or DBNull ? 0 : Convert.ToInt64(v, CultureInfo.InvariantCulture);
    }

    public Task WriteSampleAsync(NodeSample sample, CancellationToken cancellationToken) => WriteSamplesAsync([sample], cancellationToken);

    /// <summary>
    /// Writes several node samples (any nodes) in one transaction: one existence check for all of them, then the
    /// samples, user and process rows of those not stored yet, each table in as few statements (or bulk loads) as its
    /// size allows. A batch commits whole or not at all, so no sample is ever torn; a re-sent (node, seq) is skipped.
    /// </summary>
    public Task WriteSamplesAsync(IReadOnlyList<NodeSample> samples, CancellationToken cancellationToken) =>
        samples.Count == 0 ? Task.CompletedTask : WriteAsync(async (c, tx) =>
        {
            var stored = await StoredSeqsAsync(c, tx, samples, cancellationToken);
            var fresh = samples.Where(s => !stored.Contains((s.Node, s.Seq))).DistinctBy(s => (s.Node, s.Seq)).ToList();
            if (fresh.Count == 0)
                return; // all already stored (a re-send after an outage): never twice
            await InsertRowsAsync(c, tx, "samples", Tables.Samples, SampleRows.Samples(fresh), null, cancellationToken);
            await InsertRowsAsync(c, tx, "user_samples", Tables.UserSamples, SampleRows.Users(fresh), null, cancellationToken);
            await InsertRowsAsync(c, tx, "process_samples", Tables.ProcessSamples, SampleRows.Processes(fresh), null, cancellationToken);
        }, cancellationToken);

    /// <summary>The (node, seq) of <paramref name="samples"/> already stored, in one query (a seq range per node).</summary>
    private static async Task<HashSet<(string, long)>> StoredSeqsAsync(DbConnection c, DbTransaction tx, IReadOnlyList<NodeSample> samples, CancellationToken cancellationToken)
    {
        var ranges = samples.GroupBy(s => s.Node, StringComparer.Ordinal).Select(g => (Node: g.Key, From: g.Min(s => s.Seq), To: g.Max(s => s.Seq))).ToList();
        var where = string.Join(" OR ", ranges.Select((_, i) => $"(node_name = @p{3 * i} AND seq BETWEEN @p{3 * i + 1} AND @p{3 * i + 2})"));
        await using var cmd = Command(c, tx, "SELECT node_name, seq FROM samples WHERE " + where, ranges.SelectMany(r => new object?[] { r.Node, r.From, r.To }).ToArray());
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var stored = new HashSet<(string, long)>();
        while (await r.ReadAsync(cancellationToken))
            stored.Add((r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture)));
        return stored;
    }

    public Task WriteAggregatesAsync(AggregationOutput rows, CancellationToken cancellationToken) =>
        rows.IsEmpty ? Task.CompletedTask : WriteAsync(async (c, tx) =>
        {
            await InsertRowsAsync(c, tx, "windows", Tables.Windows, rows.Windows.Select(RowMapping.Window), Tables.WindowKeys, cancellationToken);
            await InsertRowsAsync(c, tx, "history", Tables.History, rows.History.Select(RowMapping.History), Tables.HistoryKeys, cancellationToken);
            foreach (var (node, hour) in rows.History.Select(h => (h.Node, Hourly.HourStart(h.Start))).Distinct())
                await ExecAsync(c, tx, Hourly.RecomputeSql(UpsertClause(Hourly.Keys, Hourly.Values)), cancellationToken, node, hour, hour + Hourly.Seconds);
        }, cancellationToken);

    public Task UpsertNodeAsync(NodeStatus status, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var keep = status.State == NodeState.Up ? ["first_seen_ts"] : new[] { "first_seen_ts", "last_seen_ts", "cpu_count", "mem_total_bytes" };
            var sql = InsertSql("nodes", Tables.Nodes, 1) + " " + UpsertClause(["node_name"], Tables.Nodes.Where(col => col != "node_name" && !keep.Contains(col)));
            await ExecAsync(c, tx, sql, cancellationToken, RowMapping.Node(status));
        }, cancellationToken);

    public async Task<long> PruneAsync(RetentionPolicy retention, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long total = 0;
        var targets = new (string Table, string Column, TimeSpan Keep)[]
        {
            ("process_samples", "ts", retention.Samples), ("user_samples", "ts", retention.Samples),
            ("samples", "ts", retention.Samples), ("windows", "window_start_ts", retention.Windows),
            ("history", "cycle_start_ts", retention.History), ("history_hourly", "hour_start_ts", retention.History),
        };
        foreach (var (table, column, keep) in targets)
        {
            var cutoff = RowMapping.Epoch(now - keep);
            while (true)
            {
                // Small batches: a long delete would lock a live table.
                var n = 0;
                await WriteAsync(async (c, tx) => n = await ExecAsync(c, tx, PruneBatchSql(table, column), cancellationToken, cutoff), cancellationToken);
                total += n;
                if (n < PruneBatchSize)
                    break;
            }
        }
        return total;
    }

    /// <summary>Rows per pruning batch.</summary>
    protected virtual int PruneBatchSize => 5000;

    /// <summary>Deletes at most <see cref="PruneBatchSize"/> rows older than @p0.</summary>
    protected abstract string PruneBatchSql(string table, string column);

    public async Task<IReadOnlyList<NodeStatus>> GetNodesAsync(CancellationToken cancellationToken)
    {
        await using var c = await OpenConnectionAsync(cancellationToken);
        var list = new List<NodeStatus>();
        await using var cmd = Command(c, null, "SELECT node_name, host, source, status, last_seen_ts, last_error, cpu_count, mem_total_bytes FROM nodes ORDER BY node_name");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
            list.Add(new NodeStatus(r.GetString(0), r.GetString(1), r.GetString(2), ParseState(r.GetString(3)),
                DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(4)), r.IsDBNull(5) ? null : r.GetString(5),
                Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(7), CultureInfo.InvariantCulture)));
        return list;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_writer != null)
            await _writer.DisposeAsync();
        _writer = null;
        _writeLock.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Runs a write in one transaction. A failed connection is dropped and reopened next time; a transient failure
    /// (deadlock, lock wait, connection lost — see <see cref="IsTransient"/>) is retried after <see cref="RetryDelays"/>:
    /// every write is idempotent, so a retried batch never counts twice (case C28).
    /// </summary>
    protected async Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await WriteOnceAsync(work, cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < RetryDelays.Count && IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _transientRetries);
                await Task.Delay(Jitter(RetryDelays[attempt]), cancellationToken);
            }
        }
    }

    private long _transientRetries;

    /// <summary>Writes retried after a transient error (deadlocks, lost connections) since start.</summary>
    public long TransientRetries => Interlocked.Read(ref _transientRetries);

    /// <summary>Waits before each retry of a transient failure; empty = never retry.</summary>
    protected virtual IReadOnlyList<TimeSpan> RetryDelays => [];

    /// <summary>Whether an error is worth retrying (the dialect knows its error codes).</summary>
    protected virtual bool IsTransient(Exception e) => false;

    /// <summary>How long the writer connection is kept before a fresh one is opened (case C30: never one connection for the process lifetime).</summary>
    protected virtual TimeSpan WriterMaxAge => TimeSpan.MaxValue;

    private DateTime _writerOpenedUtc;

    private static TimeSpan Jitter(TimeSpan t) => t * (0.75 + Random.Shared.NextDouble() * 0.5);

    private async Task WriteOnceAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_writer != null && DateTime.UtcNow - _writerOpenedUtc > WriterMaxAge)
                await DropWriterAsync();
            if (_writer == null)
            {
                _writer = await OpenConnectionAsync(cancellationToken);
                _writerOpenedUtc = DateTime.UtcNow;
            }
            await using (var tx = await _writer.BeginTransactionAsync(cancellationToken))
            {
                await work(_writer, tx);
                await tx.CommitAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            await DropWriterAsync();
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task DropWriterAsync()
    {
        if (_writer != null)
            await _writer.DisposeAsync();
        _writer = null;
    }

    /// <summary>Inserts rows (or upserts them when <paramref name="upsertKeys"/> is given). Dialects may override with a bulk path.</summary>
    protected virtual async Task InsertRowsAsync(DbConnection c, DbTransaction tx, string table, string[] columns, IEnumerable<object?[]> rows, string[]? upsertKeys, CancellationToken cancellationToken)
    {
        var batch = new List<object?[]>();
        var perBatch = Math.Max(1, 900 / columns.Length);
        foreach (var row in rows)
        {
            batch.Add(row);
            if (batch.Count == perBatch)
            {
                await InsertBatchAsync(c, tx, table, columns, batch, upsertKeys, cancellationToken);
                batch.Clear();
            }
        }
        if (batch.Count > 0)
            await InsertBatchAsync(c, tx, table, columns, batch, upsertKeys, cancellationToken);
    }

    private Task<int> InsertBatchAsync(DbConnection c, DbTransaction tx, string table, string[] columns, List<object?[]> batch, string[]? upsertKeys, CancellationToken cancellationToken)
    {
        var sql = InsertSql(table, columns, batch.Count);
        if (upsertKeys != null)
            sql += " " + UpsertClause(upsertKeys, columns.Except(upsertKeys));
        return ExecAsync(c, tx, sql, cancellationToken, batch.SelectMany(r => r).ToArray());
    }

    /// <summary>INSERT INTO t (cols) VALUES (@p0, …), (…) for <paramref name="rows"/> rows.</summary>
    protected internal static string InsertSql(string table, string[] columns, int rows)
    {
        var sb = new StringBuilder("INSERT INTO ").Append(table).Append(" (").AppendJoin(", ", columns).Append(") VALUES ");
        var p = 0;
        for (var r = 0; r < rows; r++)
        {
            sb.Append(r == 0 ? "(" : ", (");
            for (var i = 0; i < columns.Length; i++)
                sb.Append(i == 0 ? "@p" : ", @p").Append(p++);
            sb.Append(')');
        }
        return sb.ToString();
    }

    protected static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params object?[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        for (var i = 0; i < args.Length; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            p.Value = args[i] ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    protected static async Task<int> ExecAsync(DbConnection c, DbTransaction? tx, string sql, CancellationToken cancellationToken, params object?[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    protected static Task<object?> ScalarAsync(DbConnection c, string sql, CancellationToken cancellationToken, params object?[] args) =>
        ScalarAsync(c, sql, cancellationToken, null, args);

    protected static async Task<object?> ScalarAsync(DbConnection c, string sql, CancellationToken cancellationToken, DbTransaction? tx, params object?[] args)
    {
        await using var cmd = Command(c, tx, sql, args);
        return await cmd.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<int> ReadVersionAsync(DbConnection c, CancellationToken cancellationToken)
    {
        var v = await ScalarAsync(c, "SELECT MAX(version) FROM schema_version", cancellationToken);
        return v is null or DBNull ? 0 : Convert.ToInt32(v, CultureInfo.InvariantCulture);
    }

    private static NodeState ParseState(string text) =>
        Enum.GetValues<NodeState>().FirstOrDefault(s => s.ToText() == text, NodeState.Down);
}
