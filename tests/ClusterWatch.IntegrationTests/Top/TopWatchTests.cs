using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Top;

/// <summary>`clusterwatch watch --source top` on this machine's real top, with users running known loads.</summary>
[Collection("machine load")]
public sealed class TopWatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-topwatch-").FullName;

    public TopWatchTests() => File.SetUnixFileMode(_dir, (UnixFileMode)0x1FF); // the load users write their logs here

    [Fact]
    public async Task WatchTop_SteadyUserWithin5Points_ShortLivedChildrenReportedBelowTheirTruth()
    {
        LoadUsers.RequireRoot("creates the load users");
        // Users of this test only (8 characters, top's USER width): other suites on the machine load their own users.
        LoadUsers.Ensure("cwtopsty");
        LoadUsers.Ensure("cwtopfrk");
        var steady = LoadUsers.Start("cwtopsty", LoadUsers.Steady, _dir, "steady");
        var forker = LoadUsers.Start("cwtopfrk", LoadUsers.ShortChildren, _dir, "forker");
        try
        {
            await LoadUsers.WaitUntilLoggingAsync(Path.Combine(_dir, "steady.log"), TimeSpan.FromSeconds(30));
            await LoadUsers.WaitUntilLoggingAsync(Path.Combine(_dir, "forker.log"), TimeSpan.FromSeconds(30));
            var db = Path.Combine(_dir, "top.db");
            var run = await ClusterWatchProcess.RunAsync(
                ["watch", "--source", "top", "--db", db, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--duration", "20s", "--no-web"],
                TimeSpan.FromSeconds(90), _dir);
            Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
            Assert.Contains("(top, local)", run.Stdout, StringComparison.Ordinal);
            var n = await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM samples");
            // On a saturated machine top itself takes seconds per frame; ticks without a new frame store no sample.
            Assert.True(n >= 5, $"only {n} samples in 20 s at 1 s");
            // top's intervals are its own (its delay plus the time it takes to draw a frame, longer on a loaded
            // machine): weigh each sample by its measured interval, and take the truth over the time they cover.
            var last = await SqliteQuery.ScalarAsync<long>(db, "SELECT MAX(ts) FROM samples");
            var covered = await SqliteQuery.ScalarAsync<double>(db, "SELECT SUM(interval_s) FROM samples");
            double Stored(string user) => SqliteQuery.ScalarAsync<double>(db,
                "SELECT COALESCE(SUM(u.cpu_pct * s.interval_s), 0) FROM user_samples u JOIN samples s ON s.node_name = u.node_name AND s.seq = u.seq WHERE u.username = @p0",
                user).Result / covered;
            var steadyStored = Stored("cwtopsty");
            var steadyTruth = await LoadUsers.TruePercentAsync(Path.Combine(_dir, "steady.log"), last - covered, last);
            var forkerStored = Stored("cwtopfrk");
            var forkerTruth = await LoadUsers.TruePercentAsync(Path.Combine(_dir, "forker.log"), last - covered, last);
            TestServers.Record("accuracy.txt", $"top watch {DateTime.UtcNow:O} cwtopsty: stored {steadyStored:0.00}% vs rusage {steadyTruth:0.00}%; cwtopfrk: stored {forkerStored:0.00}% vs rusage {forkerTruth:0.00}%");
            Assert.True(steadyTruth > 5, $"the steady load did not run ({steadyTruth:0.0}%)");
            Assert.True(Math.Abs(steadyStored - steadyTruth) <= 5, $"cwtopsty: stored {steadyStored:0.00}% vs its own rusage {steadyTruth:0.00}%");
            // top shows only processes alive at a frame: children that live 40 ms between frames are mostly missed.
            Assert.True(forkerTruth > 5, $"the forker did not run ({forkerTruth:0.0}%)");
            Assert.True(forkerStored < forkerTruth / 2, $"cwtopfrk: stored {forkerStored:0.00}% should be well below its rusage {forkerTruth:0.00}%");
            Assert.True(await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM windows WHERE kind = 'user' AND item_key = 'cwtopsty'") >= 5);
            Assert.Equal(0, await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM process_samples WHERE start_ticks <> 0"));
            Assert.Equal("top|up", (await SqliteQuery.RowsAsync(db, "SELECT source, status FROM nodes"))[0]);
        }
        finally
        {
            LoadUsers.Stop(steady);
            LoadUsers.Stop(forker);
        }
    }

    [Fact]
    public async Task WatchTop_FakeTopPrintingGarbage_NodeMarkedNothingStored()
    {
        var bin = Path.Combine(_dir, "bin");
        Directory.CreateDirectory(bin);
        var fake = Path.Combine(bin, "top");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\nwhile :; do echo 'Segmentation fault (core dumped) 0x7f3a'; echo '%%%% garbage 12 34'; sleep 0.5; done\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0x1ED);
        var db = Path.Combine(_dir, "fake.db");
        var run = await ClusterWatchProcess.RunAsync(
            ["watch", "--source", "top", "--db", db, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--duration", "6s", "--no-web"],
            TimeSpan.FromSeconds(60), _dir, new Dictionary<string, string> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") });
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("tool-missing", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("line 1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("window", run.Stdout, StringComparison.Ordinal); // the watcher kept going: status lines
        Assert.Equal(0, await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM samples"));
        Assert.Equal(0, await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM user_samples"));
        var node = Assert.Single(await SqliteQuery.RowsAsync(db, "SELECT status, last_error FROM nodes"));
        Assert.StartsWith("tool-missing|", node, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
