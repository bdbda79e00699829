using BenchmarkDotNet.Running;

namespace ClusterWatch.Benchmarks;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Paired runs against a real server are plain timed scripts, not BenchmarkDotNet jobs (see docs/benchmarks.md).
        if (args.Length > 0 && args[0] == "mysql-ingest")
            return await MySql.MySqlIngestBench.RunAsync(args[1..]);
        if (args.Length > 0 && args[0] == "mysql-dashboards")
            return await MySql.MySqlDashboardBench.RunAsync(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
