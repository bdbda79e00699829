using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage.Spool;

using static ClusterWatch.Tests.Storage.SpoolTestSupport;

namespace ClusterWatch.Tests.Storage;

public sealed class SpoolingStoreTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cw-spool-{Guid.NewGuid():N}.spool");
    private readonly List<string> _problems = new();
    private readonly ListReporter _report;

    public SpoolingStoreTests() => _report = new ListReporter(_problems);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DatabaseDown_WritesReturnAtOnce_ThenAllSentInOrderWhenBack()
    {
        var inner = new FakeStore();
        await using var spool = Create(inner);
        await spool.MigrateAsync(Ct);
        inner.Down = true;
        for (var seq = 1; seq <= 5; seq++)
            await spool.WriteSampleAsync(Sample(seq), Ct);
        await spool.WriteAggregatesAsync(Windows(2), Ct);
        await WaitUntil(() => spool.Problem?.Contains("database unreachable", StringComparison.Ordinal) == true);
        Assert.Contains("5 samples spooled", spool.Problem, StringComparison.Ordinal);
        Assert.Equal(6, spool.Pending);
        Assert.True(new FileInfo(_path).Length > 0);
        Assert.Equal(5, await spool.GetLastSeqAsync("n1", Ct)); // the sequence continues over spooled samples
        inner.Down = false;
        await WaitUntil(() => spool.Pending == 0);
        Assert.Equal(["sample n1 1", "sample n1 2", "sample n1 3", "sample n1 4", "sample n1 5", "windows 2"], inner.Writes);
        Assert.Null(spool.Problem);
        // Nothing left but the high-water line (read while the spool is locked: compare its size; it is cut right after the queue empties).
        var highWater = SpoolFile.Encode(new SpoolEntry(LastSeqs: new Dictionary<string, long> { ["n1"] = 5 })).Length;
        await WaitUntil(() => new FileInfo(_path).Length == highWater);
        Assert.Contains(_problems, p => p.Contains("database back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_SpoolLeftByAKilledWatcher_SentFirst_TornLineSkipped()
    {
        var lines = new[] { Sample(7), Sample(8) }.Select(s => SpoolFile.Encode(new SpoolEntry(Sample: s))).SelectMany(b => b).ToList();
        lines.AddRange("{\"Sample\":{\"Node\":\"n1\",\"Se"u8.ToArray()); // killed mid-append
        await File.WriteAllBytesAsync(_path, lines.ToArray(), Ct);
        var inner = new FakeStore();
        await using (var spool = Create(inner))
        {
            await spool.MigrateAsync(Ct);
            Assert.Equal(["sample n1 7", "sample n1 8"], inner.Writes);
            Assert.Equal(8, await spool.GetLastSeqAsync("n1", Ct));
        }
        Assert.Contains(_problems, p => p.Contains("resending 2 spooled samples", StringComparison.Ordinal) && p.Contains("torn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SpoolFull_OldestSamplesDropped_WindowsKept()
    {
        var inner = new FakeStore();
        var one = SpoolFile.Encode(new SpoolEntry(Sample: Sample(1))).Length;
        await using var spool = new SpoolingStore(inner, new SpoolOptions(_path, "me", TimeSpan.FromMinutes(2)) { MaxBytes = one * 10 + 200, FirstBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) }, _report);
        await spool.MigrateAsync(Ct);
        inner.Down = true;
        await spool.WriteAggregatesAsync(Windows(1), Ct);
        for (var seq = 1; seq <= 30; seq++)
            await spool.WriteSampleAsync(Sample(seq), Ct);
        Assert.True(spool.DroppedSamples > 0);
        Assert.True(new FileInfo(_path).Length <= one * 10 + 200);
        inner.Down = false;
        await WaitUntil(() => spool.Pending == 0);
        Assert.Equal("windows 1", inner.Writes[0]);
        var seqs = inner.Writes.Skip(1).Select(w => int.Parse(w.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(30, seqs[^1]); // the newest kept, in order, the oldest gone
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(30 - spool.DroppedSamples, seqs.Count);
        Assert.Contains(_problems, p => p.Contains("dropped the", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SecondWatcherOnTheSameSpool_Refused()
    {
        await using var first = Create(new FakeStore());
        var e = Assert.Throws<IOException>(() => Create(new FakeStore()));
        Assert.Contains("in use by another watcher", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_path);

    private SpoolingStore Create(FakeStore inner) =>
        new(inner, new SpoolOptions(_path, "me", TimeSpan.FromMinutes(2)) { FirstBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) }, _report);

    private static NodeSample Sample(long seq) =>
        new("n1", seq, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + 5 * seq), 5, 10, 1, 2, 1, 1, 0, SampleFlags.None,
            [new UserUsage("alice", 1000, 10, 10, 0, 100, 1, 1)], [new ProcessUsage(10, 1, 1000, "alice", "sim", 'R', 10, 0, 100, 1)]);

    private static AggregationOutput Windows(int n) =>
        new(Enumerable.Range(0, n).Select(i => new WindowRow("n1", DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), DateTimeOffset.FromUnixTimeSeconds(1_800_000_030),
            ItemKind.User, "u" + i, "u" + i, "", 0, 6, 5, new MetricStats(1, 2, 1, 1, 1), new MetricStats(1, 2, 1, 1, 1), new MetricStats(1, 2, 1, 1, 1))).ToList(), []);
}
