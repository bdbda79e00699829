using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Watching;
using Microsoft.Data.Sqlite;

namespace ClusterWatch.IntegrationTests.Ssh;

/// <summary>Runs the real watcher in-process over real SSH sources into a SQLite file, with an action alongside.</summary>
public static class SshWatch
{
    public sealed record Run(string Db, RecordingReporter Reporter, LiveState Live, long Rows);

    public static async Task<Run> RunAsync(IReadOnlyList<INodeSource> sources, TimeSpan duration, string dir, Func<Task>? during = null, IUsageStore? store = null)
    {
        var db = Path.Combine(dir, $"ssh-{Guid.NewGuid():N}.db");
        await using var sqlite = store == null ? new SqliteUsageStore(db) : null;
        var s = store ?? sqlite!;
        await s.MigrateAsync(CancellationToken.None);
        var reporter = new RecordingReporter();
        var live = new LiveState();
        var options = new WatchOptions
        {
            Sample = TimeSpan.FromSeconds(1), Window = TimeSpan.FromSeconds(5), Cycle = TimeSpan.FromSeconds(15),
            Duration = duration, AllProcesses = true,
        };
        var watcher = new Watcher(sources, s, options, TimeProvider.System, live, reporter);
        try
        {
            // Off the test framework's synchronization context: the helper's blocking process waits must not stall
            // the node loops' continuations.
            var run = Task.Run(() => watcher.RunAsync(CancellationToken.None));
            if (during != null)
                await Task.Run(during);
            await run;
        }
        finally
        {
            foreach (var src in sources)
                await src.DisposeAsync();
        }
        return new Run(db, reporter, live, watcher.RowsWritten);
    }

    public static async Task<List<T>> ColumnAsync<T>(string db, string sql, params (string Name, object Value)[] args)
    {
        await using var c = new SqliteConnection($"Data Source={db}");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
            cmd.Parameters.AddWithValue(name, value);
        var list = new List<T>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            list.Add((T)Convert.ChangeType(r.GetValue(0), typeof(T), System.Globalization.CultureInfo.InvariantCulture));
        return list;
    }

    /// <summary>The tick times (unix seconds) of a node's stored samples, ascending.</summary>
    public static Task<List<long>> TicksAsync(string db, string node) =>
        ColumnAsync<long>(db, "SELECT ts FROM samples WHERE node_name = $n ORDER BY ts", ("$n", node));

    /// <summary>Ticks missing between a node's first and last sample (1 s cadence).</summary>
    public static List<long> Gaps(IReadOnlyList<long> ticks)
    {
        var gaps = new List<long>();
        for (var i = 1; i < ticks.Count; i++)
            for (var t = ticks[i - 1] + 1; t < ticks[i]; t++)
                gaps.Add(t);
        return gaps;
    }
}
