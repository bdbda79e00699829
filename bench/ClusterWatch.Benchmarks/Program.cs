using BenchmarkDotNet.Running;

namespace ClusterWatch.Benchmarks;

/// <summary>
/// BenchmarkDotNet suites (default), or a paired measurement: `snapshot` (the watcher's real /proc snapshot,
/// CPU and bytes allocated per snapshot) and `ingest` (process_samples rows/s through the store's write path).
/// `dashboard` (API and page timings over 7 days of a 20 × 50 cluster, bench/dashboard.sh).
/// The scripts in bench/ run these next to their references (top, sqlite3) in the same run and print ratios.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "ssh":
            case "ssh-top":
                await SshMeasure.RunAsync(args);
                return 0;
            case "snapshot":
                return SnapshotProbe.Run(args.Skip(1).ToArray());
            case "ingest":
                return await IngestProbe.RunAsync(args.Skip(1).ToArray());
            case "mysql-ingest": // paired against the mariadb client's LOAD DATA LOCAL INFILE (docs/benchmarks.md)
                return await MySql.MySqlIngestBench.RunAsync(args[1..]);
            case "mysql-dashboards":
                return await MySql.MySqlDashboardBench.RunAsync(args[1..]);
            case "dashboard":
                return await Dashboard.DashboardProbe.RunAsync(args.Skip(1).ToArray());
            case "parseprobe":
                {
                    // parseprobe: the parser on the recorded log, MB/s of each of 7 rounds (a quick look without BenchmarkDotNet)
                    var log = TopLogGenerator.RecordedLog(32_000_000);
                    var mb = System.Text.Encoding.UTF8.GetByteCount(log) / 1e6;
                    for (var i = 0; i < 7; i++)
                    {
                        var cpu0 = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                        var sw = System.Diagnostics.Stopwatch.StartNew();
                        var n = new ClusterWatch.Core.Sources.Top.TopParser().Parse(log).Frames.Count;
                        var wall = sw.Elapsed.TotalSeconds;
                        var cpu = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                        Console.WriteLine($"{mb:0.0} MB, {n} frames: {mb / wall:0.0} MB/s wall, {mb / cpu:0.0} MB/s of CPU time");
                    }
                    return 0;
                }
            case "toplog":
                // toplog FILE FRAMES PROCESSES: a synthetic `top -b -d 1` log for bench/import-vs-sqlite3.sh
                await File.WriteAllTextAsync(args[1], TopLogGenerator.Synthetic(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)));
                return 0;
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
