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
            case "snapshot":
                return SnapshotProbe.Run(args.Skip(1).ToArray());
            case "ingest":
                return await IngestProbe.RunAsync(args.Skip(1).ToArray());
            case "dashboard":
                return await Dashboard.DashboardProbe.RunAsync(args.Skip(1).ToArray());
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
