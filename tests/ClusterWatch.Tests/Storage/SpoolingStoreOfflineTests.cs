using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage.Spool;

using static ClusterWatch.Tests.Storage.SpoolTestSupport;

namespace ClusterWatch.Tests.Storage;

/// <summary>
/// A watcher starting while the database is down, and nodes another watcher took over (edge cases on a fake store;
/// the real start during an outage is tested against MariaDB in OutageTests).
/// </summary>
public sealed class SpoolingStoreOfflineTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cw-spool-off-{Guid.NewGuid():N}.spool");
    private readonly List<string> _problems = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartWhileDown_NumbersAfterTheHighWaterLine_MigratesAndSendsWhenBack()
    {
        await File.WriteAllBytesAsync(_path, HighWater(("n1", 40)), Ct); // a clean earlier run stored 1..40
        var inner = new FakeStore { Down = true };
        await using var spool = Create(inner);
        await spool.MigrateAsync(Ct); // does not throw
        Assert.False(spool.DatabaseReady);
        Assert.True((await spool.ClaimNodeAsync("n1", "me", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2), Ct)).Granted);
        Assert.Equal(40, await spool.GetLastSeqAsync("n1", Ct));
        for (var seq = 41; seq <= 43; seq++)
            await spool.WriteSampleAsync(Sample("n1", seq), Ct);
        Assert.Empty(await spool.LoadSamplesAsync("n1", DateTimeOffset.MinValue, DateTimeOffset.MaxValue, Ct) is { Count: 3 } ? [] : new[] { "spooled samples not loaded" });
        Assert.Contains(_problems.ToList(), p => p.Contains("database unreachable at start", StringComparison.Ordinal));
        Assert.Contains("database unreachable at start", spool.Problem, StringComparison.Ordinal);
        inner.Down = false;
        await WaitUntil(() => spool.Pending == 0);
        Assert.Equal(1, inner.Migrations);
        Assert.Equal(["sample n1 41", "sample n1 42", "sample n1 43"], inner.Writes);
        Assert.Equal("claim n1 me", inner.Claims[0]); // claimed before its first sample was sent
        Assert.True(spool.Watches("n1"));
        Assert.Null(spool.Problem);
    }

    [Fact]
    public async Task StartWhileDown_AnotherWatcherStoredHigherSeqs_NodeLost_SpooledSamplesCountedInTheLog()
    {
        var inner = new FakeStore { Down = true };
        inner.OtherWatcherSeq["n1"] = 7; // no high-water line here: this watcher numbers from 1
        await using var spool = Create(inner);
        await spool.MigrateAsync(Ct);
        await spool.ClaimNodeAsync("n1", "me", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2), Ct);
        await spool.ClaimNodeAsync("n2", "me", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2), Ct);
        Assert.Equal(0, await spool.GetLastSeqAsync("n1", Ct));
        Assert.Equal(0, await spool.GetLastSeqAsync("n2", Ct));
        for (var seq = 1; seq <= 3; seq++)
        {
            await spool.WriteSampleAsync(Sample("n1", seq), Ct);
            await spool.WriteSampleAsync(Sample("n2", seq), Ct);
        }
        inner.Down = false;
        await WaitUntil(() => spool.Pending == 0 && inner.Writes.Count == 3);
        await WaitUntil(() => _problems.Any(p => p.Contains("taken over", StringComparison.Ordinal)));
        Assert.Equal(["sample n2 1", "sample n2 2", "sample n2 3"], inner.Writes);
        Assert.False(spool.Watches("n1"));
        Assert.True(spool.Watches("n2"));
        Assert.Contains(_problems.ToList(), p => p.Contains("3 spooled samples of it (seq 1–3) are not sent", StringComparison.Ordinal) && p.Contains("up to seq 7", StringComparison.Ordinal));
        await spool.WriteSampleAsync(Sample("n1", 4), Ct); // a late sample of the lost node: counted, not sent
        Assert.Contains("taken over by another watcher: n1 (1 later samples not stored)", spool.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutageOutlastsTheLease_OtherWatcherHoldsIt_NodeLost_NotOneSampleSent()
    {
        var inner = new FakeStore();
        await using var spool = Create(inner);
        await spool.MigrateAsync(Ct);
        await spool.ClaimNodeAsync("n1", "me", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2), Ct);
        await spool.WriteSampleAsync(Sample("n1", 1), Ct);
        await WaitUntil(() => spool.Pending == 0);
        inner.Down = true;
        await spool.WriteSampleAsync(Sample("n1", 2), Ct);
        await spool.WriteSampleAsync(Sample("n1", 3), Ct);
        await WaitUntil(() => spool.Problem?.Contains("database unreachable", StringComparison.Ordinal) == true);
        inner.LeaseHolder["n1"] = "other:/x.spool"; // the lease ran out during the outage and another watcher took it
        inner.Down = false;
        await WaitUntil(() => spool.Pending == 0 && !spool.Watches("n1"));
        await WaitUntil(() => _problems.Count(p => p.Contains("taken over", StringComparison.Ordinal)) == 1); // logged right after the queue is cut
        Assert.DoesNotContain("sample n1 2", inner.Writes);
        Assert.DoesNotContain("sample n1 3", inner.Writes);
        Assert.False(spool.Watches("n1"));
        Assert.Contains(_problems.ToList(), p => p.Contains("watcher other:/x.spool holds its lease", StringComparison.Ordinal) && p.Contains("2 spooled samples of it (seq 2–3)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartWhileDown_WithoutIsUnreachable_StillFails()
    {
        var inner = new FakeStore { Down = true };
        await using var spool = new SpoolingStore(inner, new SpoolOptions(_path, "me", TimeSpan.FromMinutes(2)), new ListReporter(_problems));
        await Assert.ThrowsAsync<IOException>(() => spool.MigrateAsync(Ct)); // SQLite: a store that can't open is an error
        inner.Down = false;
    }

    public void Dispose() => File.Delete(_path);

    private SpoolingStore Create(FakeStore inner) =>
        new(inner, new SpoolOptions(_path, "me", TimeSpan.FromMinutes(2))
        {
            FirstBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            IsUnreachable = e => e is IOException,
        }, new ListReporter(_problems));

    private static byte[] HighWater(params (string Node, long Seq)[] seqs) =>
        SpoolFile.Encode(new SpoolEntry(LastSeqs: seqs.ToDictionary(s => s.Node, s => s.Seq)));

    private static NodeSample Sample(string node, long seq) =>
        new(node, seq, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + 5 * seq), 5, 10, 1, 2, 1, 1, 0, SampleFlags.None,
            [new UserUsage("alice", 1000, 10, 10, 0, 100, 1, 1)], []);
}
