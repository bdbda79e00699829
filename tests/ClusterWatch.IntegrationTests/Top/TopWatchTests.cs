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
        TopCapture.RequireRoot("creates the load users");
        LoadUsers.Ensure("cwsteady");
        LoadUsers.Ensure("cwforker");
        var steady = LoadUsers.Start("cwsteady", LoadUsers.Steady, _dir, "steady");
        var forker = LoadUsers.Start("cwforker", LoadUsers.ShortChildren, _dir, "forker");
        try
        {
            await Task.Delay(1500);
            var db = Path.Combine(_dir, "top.db");
            var run = await ClusterWatchProcess.RunAsync(
                ["watch", "--source", "top", "--db", db, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--duration", "20s", "--no-web"],
                TimeSpan.FromSeconds(90), _dir);
            Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
            Assert.Contains("(top, local)", run.Stdout, StringComparison.Ordinal);
            var n = await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM samples");
            Assert.True(n >= 12, $"only {n} samples in 20 s at 1 s");
            var first = await SqliteQuery.ScalarAsync<long>(db, "SELECT MIN(ts) FROM samples");
            var last = await SqliteQuery.ScalarAsync<long>(db, "SELECT MAX(ts) FROM samples");
            double Stored(string user) => SqliteQuery.ScalarAsync<double>(db, "SELECT COALESCE(SUM(cpu_pct), 0) FROM user_samples WHERE username = @p0", user).Result / n;
            var steadyStored = Stored("cwsteady");
            var steadyTruth = LoadUsers.TruePercent(Path.Combine(_dir, "steady.log"), first - 1, last);
            var forkerStored = Stored("cwforker");
            var forkerTruth = LoadUsers.TruePercent(Path.Combine(_dir, "forker.log"), first - 1, last);
            TestServers.Record("accuracy.txt", $"top watch {DateTime.UtcNow:O} cwsteady: stored {steadyStored:0.00}% vs rusage {steadyTruth:0.00}%; cwforker: stored {forkerStored:0.00}% vs rusage {forkerTruth:0.00}%");
            Assert.True(steadyTruth > 30, $"the steady load did not run ({steadyTruth:0.0}%)");
            Assert.True(Math.Abs(steadyStored - steadyTruth) <= 5, $"cwsteady: stored {steadyStored:0.00}% vs its own rusage {steadyTruth:0.00}%");
            // top shows only processes alive at a frame: children that live 40 ms between frames are mostly missed.
            Assert.True(forkerTruth > 10, $"the forker did not run ({forkerTruth:0.0}%)");
            Assert.True(forkerStored < forkerTruth / 2, $"cwforker: stored {forkerStored:0.00}% should be well below its rusage {forkerTruth:0.00}%");
            Assert.True(await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM windows WHERE kind = 'user' AND item_key = 'cwsteady'") >= 5);
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
