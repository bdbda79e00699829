using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;

namespace ClusterWatch.Benchmarks;

/// <summary>
/// Writes S samples × P processes through SqliteUsageStore.WriteSampleAsync (the watcher's own write path: one
/// transaction per node sample) and prints process_samples rows/s. Also writes the same rows as CSV for the
/// reference import (`sqlite3 .import`) that bench/ingest-vs-sqlite3.sh runs in the same run.
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
        await using (var store = new SqliteUsageStore(db))
        {
            await store.MigrateAsync(CancellationToken.None);
            var sw = Stopwatch.StartNew();
            foreach (var s in data)
                await store.WriteSampleAsync(s, CancellationToken.None);
            sw.Stop();
            var rows = samples * perSample;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"store rows={rows} seconds={sw.Elapsed.TotalSeconds:0.000} rows_per_s={rows / sw.Elapsed.TotalSeconds:0}"));
        }
        await using var w = new StreamWriter(csv, false, new UTF8Encoding(false));
        foreach (var s in data)
            foreach (var p in s.Processes)
                await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Node},{s.Seq},{s.Time.ToUnixTimeSeconds()},{p.Pid},{p.StartTicks},{p.User},{p.Uid},{p.Command},{p.State},{p.CpuPct},{p.ChildrenCpuPct},{p.RssBytes},{p.MemPct}"));
        return 0;
    }

    private static NodeSample Sample(int seq, int n)
    {
        var procs = Enumerable.Range(1, n).Select(i => new ProcessUsage(i, 1000 + i, 1000 + i % 50, "user" + (i % 50), "cmd" + (i % 200), 'S', i % 7 * 1.5, 0, 1_000_000L * (i % 100), 0.01 * (i % 100))).ToList();
        return new NodeSample("bench", seq, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + seq * 5L), 5, 100, 1, 2, 2, n, 0, SampleFlags.None, [], procs);
    }
}
