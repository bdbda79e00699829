using ClusterWatch.Core.Metrics;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using ClusterWatch.Web;

namespace ClusterWatch.Tests.Web;

/// <summary>/metrics under `serve`: read from a SQLite file written through the store, compared with a hand-written golden file.</summary>
public sealed class StoredMetricsTests : IAsyncLifetime
{
    private const long T = 1796292000;
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cw-stored-metrics-{Guid.NewGuid():N}.db");
    private SqliteUsageStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset At(long s) => DateTimeOffset.FromUnixTimeSeconds(s);

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteUsageStore(_path);
        await _store.MigrateAsync(Ct);
        await _store.UpsertNodeAsync(new NodeStatus("n1", "local", "proc", NodeState.Up, At(T + 5), null, 4, 8589934592), Ct);
        await _store.UpsertNodeAsync(new NodeStatus("n2", "10.0.0.2", "proc", NodeState.Down, At(T), "connection refused"), Ct);
        // An older sample with other numbers: only the newest one counts.
        await _store.WriteSampleAsync(new NodeSample("n1", 1, At(T), 5, 100, 1, 8589934592, 4, 1, 0, SampleFlags.None,
            [new UserUsage("carol", 1003, 99, 99, 0, 1, 1, 1)], [new ProcessUsage(300, 3000, 1003, "carol", "sleep", 'S', 99, 0, 1, 1)]), Ct);
        // The newest: bob's three small processes were folded by the volume rule into his pid-0 "(other)" row.
        await _store.WriteSampleAsync(new NodeSample("n1", 2, At(T + 5), 5, 250, 3221225472, 8589934592, 4, 6, 10, SampleFlags.None,
            [
                new UserUsage("alice", 1001, 150, 150, 0, 1077936128, 12.5, 2),
                new UserUsage("bob", 1002, 30, 30, 0, 2097152, 0.02, 3),
                new UserUsage("carol", 1003, 5, 5, 0, 1048576, 0.01, 1),
            ],
            [
                new ProcessUsage(100, 1000, 1001, "alice", "sim", 'R', 120, 0, 1073741824, 12.5),
                new ProcessUsage(101, 1010, 1001, "alice", "bash", 'S', 30, 0, 4194304, 0.05),
                new ProcessUsage(0, 0, 1002, "bob", ProcessUsage.OtherCommand, ' ', 25, 0, 2097152, 0.02),
                new ProcessUsage(300, 3000, 1003, "carol", "sleep", 'S', 5, 0, 1048576, 0.01),
            ]), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var f in new[] { _path, _path + "-wal", _path + "-shm" })
            File.Delete(f);
    }

    /// <summary>
    /// Top N = 2. Users: alice 150 % and bob 30 % keep their series, carol (5 % = 0.05 cores) is the (other) user.
    /// Processes: sim 120 % and bash 30 %; (other) = carol's sleep 5 % + bob's folded row 25 % = 0.3 cores, RSS 1 MiB + 2 MiB.
    /// n2 (down, never sampled) has only its state. No watcher counters: they are not in the database.
    /// </summary>
    [Fact]
    public async Task Serve_LatestStoredSample_MatchesGoldenFile()
    {
        var snapshot = await StoredMetrics.LoadAsync(_store, _store, Ct);
        var expected = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "metrics", "serve.golden.prom"), Ct);
        Assert.Equal(expected, PrometheusWriter.Write(snapshot, topN: 2));
    }
}
