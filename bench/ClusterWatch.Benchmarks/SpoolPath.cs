using System.Diagnostics;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Storage.Spool;
using ClusterWatch.Core.Watching;

namespace ClusterWatch.Benchmarks;

/// <summary>
/// What `watch` does with each sample, for the ingest benchmarks: hand it to a <see cref="SpoolingStore"/> (a JSON line
/// appended to the spool file and queued) in front of <paramref name="inner"/>, timed from the first hand-over until
/// the spool is empty. Samples waiting together go in one transaction, so handing over all of them at once measures a
/// backlog (after an outage) or many nodes sampled on the same tick.
/// </summary>
internal static class SpoolPath
{
    /// <summary>Seconds to store <paramref name="data"/> through a fresh spool in front of <paramref name="inner"/> (migrated first, not timed).</summary>
    public static async Task<double> TimeAsync(IUsageStore inner, IReadOnlyList<NodeSample> data)
    {
        var spoolPath = Path.Combine(Path.GetTempPath(), $"cw-ingest-{Guid.NewGuid():N}.spool");
        try
        {
            await using var spool = new SpoolingStore(inner, new SpoolOptions(spoolPath, "bench", TimeSpan.FromMinutes(2)), new QuietReporter());
            await spool.MigrateAsync(CancellationToken.None);
            var sw = Stopwatch.StartNew();
            foreach (var s in data)
                await spool.WriteSampleAsync(s, CancellationToken.None);
            while (spool.Pending > 0)
                await Task.Delay(1);
            return sw.Elapsed.TotalSeconds;
        }
        finally
        {
            File.Delete(spoolPath);
        }
    }

    /// <summary>Problems to stderr (a benchmark that drops or retries must say so); status lines dropped.</summary>
    private sealed class QuietReporter : IWatchReporter
    {
        public void Status(string line)
        {
        }

        public void Problem(string node, string message) => Console.Error.WriteLine($"{node}: {message}");

        public void Debug(string message)
        {
        }
    }
}
