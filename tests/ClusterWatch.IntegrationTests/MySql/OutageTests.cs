using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.MySql;

/// <summary>
/// No sample lost when the database goes away: MariaDB is stopped for 30 s under a watcher sampling every second,
/// then started again. Every sample must be stored exactly once with no gap in the count sequence — also when the
/// watcher is killed (SIGKILL) during the outage and restarted after it (case C30).
/// </summary>
[Collection("MariaDB server state")]
public sealed class OutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DatabaseDown30s_EverySampleStoredOnce_NoSeqGap()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("cw-outage-").FullName;
        var env = new Dictionary<string, string> { ["CLUSTERWATCH__Watch__LocalNode"] = "outage1" };
        using var w = WatcherProcess.Start(dir, env, "watch", "--mysql", db.ConnectionString, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--duration", "50s", "--no-web");
        await WaitForSamplesAsync(db, 3);
        var down = DateTimeOffset.UtcNow;
        MariaDb.Control("stop");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            MariaDb.Control("start");
        }
        var up = DateTimeOffset.UtcNow;
        Assert.Equal(0, await w.WaitAsync(TimeSpan.FromSeconds(60)));
        var (count, min, max) = await SeqStatsAsync(db);
        // A loaded machine skips ticks (fewer samples), never numbers: the invariant is the gap-free sequence.
        Assert.True(count >= 20, $"only {count} samples in a 50 s run:\n{w.Output}");
        Assert.Equal((1L, count), (min, max)); // no gap: seq 1..count, each stored once (primary key)
        var duringOutage = Convert.ToInt64(await db.ScalarAsync($"SELECT COUNT(*) FROM samples WHERE ts > {down.ToUnixTimeSeconds() + 1} AND ts < {up.ToUnixTimeSeconds() - 1}"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(duringOutage >= 12, $"{duringOutage} samples from the 30 s outage");
        Assert.Equal(count, Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(DISTINCT seq) FROM user_samples"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("database unreachable", w.Output, StringComparison.Ordinal);
        Assert.Contains("database back", w.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatcherKilledDuringOutage_RestartResendsTheSpool_NoSeqGap()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("cw-outage-kill-").FullName;
        var env = new Dictionary<string, string> { ["CLUSTERWATCH__Watch__LocalNode"] = "outage2" };
        string[] args = ["watch", "--mysql", db.ConnectionString, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--no-web"];
        DateTimeOffset down, killed;
        using (var first = WatcherProcess.Start(dir, env, args))
        {
            await WaitForSamplesAsync(db, 3);
            down = DateTimeOffset.UtcNow;
            MariaDb.Control("stop");
            await Task.Delay(TimeSpan.FromSeconds(12), Ct);
            killed = DateTimeOffset.UtcNow;
            first.Kill();
        }
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(18), Ct);
        }
        finally
        {
            MariaDb.Control("start");
        }
        using var second = WatcherProcess.Start(dir, env, [.. args, "--duration", "8s"]);
        Assert.Equal(0, await second.WaitAsync(TimeSpan.FromSeconds(40)));
        var (count, min, max) = await SeqStatsAsync(db);
        Assert.Equal((1L, count), (min, max));
        var spooledBeforeKill = Convert.ToInt64(await db.ScalarAsync($"SELECT COUNT(*) FROM samples WHERE ts > {down.ToUnixTimeSeconds() + 1} AND ts < {killed.ToUnixTimeSeconds() - 1}"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(spooledBeforeKill >= 4, $"{spooledBeforeKill} samples of the outage before the kill were stored:\n{second.Output}");
        Assert.Contains("resending", second.Output, StringComparison.Ordinal);
        // Everything sent: the spool keeps only its high-water line (the highest seq numbered).
        Assert.Equal($"{{\"LastSeqs\":{{\"outage2\":{max}}}}}", (await File.ReadAllTextAsync(Path.Combine(dir, "clusterwatch.spool"), Ct)).Trim());
    }

    [Fact]
    public async Task DatabaseDownAtStart_WatcherSpoolsFromTheFirstSample_MigratesAndSendsWhenUp()
    {
        await using var db = await MariaDb.CreateDatabaseAsync(); // exists, but the server is stopped before the watcher starts
        var dir = Directory.CreateTempSubdirectory("cw-outage-start-").FullName;
        var env = new Dictionary<string, string> { ["CLUSTERWATCH__Watch__LocalNode"] = "outage3" };
        MariaDb.Control("stop");
        WatcherProcess w;
        DateTimeOffset started;
        try
        {
            w = WatcherProcess.Start(dir, env, "watch", "--mysql", db.ConnectionString, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--no-web");
            started = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(15), Ct);
            Assert.False(w.HasExited, $"the watcher exited while the database was down:\n{w.Output}");
        }
        finally
        {
            MariaDb.Control("start");
        }
        using (w)
        {
            // Back-off reaches 8 s then 16 s: wait for the spool to be sent, then a few samples more, then stop cleanly.
            await WaitForSamplesAsync(db, 20);
            await Task.Delay(TimeSpan.FromSeconds(3), Ct);
            w.Stop();
            Assert.Equal(0, await w.WaitAsync(TimeSpan.FromSeconds(40)));
        }
        var (count, min, max) = await SeqStatsAsync(db);
        Assert.Equal((1L, count), (min, max)); // seq 1..n, each once (primary key), no gap
        var firstTs = Convert.ToInt64(await db.ScalarAsync("SELECT MIN(ts) FROM samples WHERE seq = 1"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(firstTs <= started.ToUnixTimeSeconds() + 4, $"the first stored sample is from {firstTs}, the watcher started at {started.ToUnixTimeSeconds()}: samples of the outage are missing");
        Assert.Equal(count, Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(DISTINCT seq) FROM user_samples"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(*) FROM history WHERE node_name = 'outage3'"), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("database unreachable at start", w.Output, StringComparison.Ordinal);
        Assert.Contains("database back", w.Output, StringComparison.Ordinal);
    }

    internal static async Task WaitForSamplesAsync(TestDatabase db, int n)
    {
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(*) FROM samples"), System.Globalization.CultureInfo.InvariantCulture) >= n)
                    return;
            }
            catch (MySqlConnector.MySqlException)
            {
                // tables not created yet
            }
            await Task.Delay(300, Ct);
        }
        Assert.Fail($"fewer than {n} samples after 40 s");
    }

    internal static async Task<(long Count, long Min, long Max)> SeqStatsAsync(TestDatabase db)
    {
        var row = (await db.RowsAsync("SELECT COUNT(*), MIN(seq), MAX(seq) FROM samples"))[0];
        return (Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(row[2], System.Globalization.CultureInfo.InvariantCulture));
    }
}
