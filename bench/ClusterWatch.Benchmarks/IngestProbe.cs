using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Benchmarks;

/// <summary>
/// Writes S samples × P processes into a fresh SQLite database the way `watch` does (through the spool, see
/// <see cref="SpoolPath"/>: a backlog or many nodes per tick, coalesced into transactions), then — into a second
/// fresh database — through SqliteUsageStore.WriteSampleAsync alone (one transaction per node sample: one node whose
/// samples never wait). Prints process_samples rows/s of both. Also writes the same rows as CSV for the reference
/// import (`sqlite3 .import`) that bench/ingest-vs-sqlite3.sh runs in the same run. The first 20 samples are written
/// once to a throwaway database first (JIT warm-up: the watcher is long-running; sqlite3 is native code).
/// Usage: ingest DB CSV SAMPLES PROCESSES (DB is the spool path's database; DB.single the other one)
/// </summary>
internal static class IngestProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var db = args[0];
        var csv = args[1];
        var samples = int.Parse(args[2], CultureInfo.InvariantCulture);
        var perSample = int.Parse(args[3], CultureInfo.InvariantCulture);
        var data = Enumerable.Range(1, samples).Select(s => Sample(s, perSample)).ToList();
        var warm = db + ".warm";
        await SpoolPath.TimeAsync(new SqliteUsageStore(warm), data.Take(20).ToList());
        await OneTransactionPerSampleAsync(warm + ".single", data.Take(20));
        var spool = await SpoolPath.TimeAsync(new SqliteUsageStore(db), data);
        var single = await OneTransactionPerSampleAsync(db + ".single", data);
        var rows = samples * perSample;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store rows={rows} spool_seconds={spool:0.000} rows_per_s={rows / spool:0} single_seconds={single:0.000} single_rows_per_s={rows / single:0}"));
        await using var w = new StreamWriter(csv, false, new UTF8Encoding(false));
        foreach (var s in data)
            foreach (var p in s.Processes)
                await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Node},{s.Seq},{s.Time.ToUnixTimeSeconds()},{p.Pid},{p.StartTicks},{p.User},{p.Uid},{p.Command},{p.State},{p.CpuPct},{p.ChildrenCpuPct},{p.RssBytes},{p.MemPct}"));
        return 0;
    }

    private static async Task<double> OneTransactionPerSampleAsync(string db, IEnumerable<NodeSample> data)
    {
        await using var store = new SqliteUsageStore(db);
        await store.MigrateAsync(CancellationToken.None);
        var sw = Stopwatch.StartNew();
        foreach (var s in data)
            await store.WriteSampleAsync(s, CancellationToken.None);
        return sw.Elapsed.TotalSeconds;
    }

    private static NodeSample Sample(int seq, int n)
    {
        var procs = Enumerable.Range(1, n).Select(i => new ProcessUsage(i, 1000 + i, 1000 + i % 50, "user" + (i % 50), "cmd" + (i % 200), 'S', i % 7 * 1.5, 0, 1_000_000L * (i % 100), 0.01 * (i % 100))).ToList();
        return new NodeSample("bench", seq, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + seq * 5L), 5, 100, 1, 2, 2, n, 0, SampleFlags.None, [], procs);
    }
}
