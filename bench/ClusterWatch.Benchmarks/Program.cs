using BenchmarkDotNet.Running;

namespace ClusterWatch.Benchmarks;

public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "ssh")
        {
            await SshMeasure.RunAsync(args);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
