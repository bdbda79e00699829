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
    public static Task<double> TimeAsync(IUsageStore inner, IReadOnlyList<NodeSample> data) =>
        MeasureAsync(inner, data, Stopwatch.StartNew, sw => sw.Elapsed.TotalSeconds);

    /// <summary>As <see cref="TimeAsync"/>, with the caller's own measurement: <paramref name="start"/> right before
    /// the first hand-over, <paramref name="stop"/> once the spool is empty.</summary>
    public static async Task<TResult> MeasureAsync<TClock, TResult>(IUsageStore inner, IReadOnlyList<NodeSample> data, Func<TClock> start, Func<TClock, TResult> stop)
    {
        var spoolPath = Path.Combine(Path.GetTempPath(), $"cw-ingest-{Guid.NewGuid():N}.spool");
        try
        {
            await using var spool = new SpoolingStore(inner, new SpoolOptions(spoolPath, "bench", TimeSpan.FromMinutes(2)), new QuietReporter());
            await spool.MigrateAsync(CancellationToken.None);
            var clock = start();
            foreach (var s in data)
                await spool.WriteSampleAsync(s, CancellationToken.None);
            // Polled with a plain sleep: `await Task.Delay(1)` woke the thread pool ~500 times a second, ~0.1 s of CPU
            // per second of measurement (measured alone), taken from the two cores the database needs and charged to
            // our side only; Thread.Sleep(1) polls as often at a quarter of that.
            while (spool.Pending > 0)
                Thread.Sleep(1);
            return stop(clock);
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
