using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.MySql;

/// <summary>The real watcher writing into MariaDB: untrusted process names from the real /proc, and several watchers sharing one database.
/// In the machine-load collection: the helpers and watchers would disturb the CPU-accuracy tests.</summary>
[Collection("machine load")]
public sealed class WatcherMySqlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Each helper names itself through /proc/self/comm (exec would rename it), then works a little and sleeps.
    private const string Loop = "while :; do i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; sleep 0.3; done";

    [Fact]
    public async Task HostileProcessNames_FromRealProc_StoredAndReadBack()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        var helpers = new List<Process>
        {
            Helper("printf %s \"$1\" > /proc/$$/comm; " + Loop, "'; DROP TABLE samples; --"),
            Helper("printf %s \"$1\" > /proc/$$/comm; " + Loop, "🔥burn🔥"),
            Helper("printf 'bad\\377\\376name' > /proc/$$/comm; " + Loop),
        };
        try
        {
            var dir = Directory.CreateTempSubdirectory("cw-names-").FullName;
            var env = new Dictionary<string, string> { ["CLUSTERWATCH__Watch__LocalNode"] = "names1" };
            using var w = WatcherProcess.Start(dir, env, "watch", "--mysql", db.ConnectionString, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--duration", "8s", "--no-web");
            Assert.Equal(0, await w.WaitAsync(TimeSpan.FromSeconds(40)));
        }
        finally
        {
            foreach (var h in helpers)
            {
                h.Kill();
                h.Dispose();
            }
        }
        var commands = (await db.RowsAsync("SELECT DISTINCT command FROM process_samples")).Select(r => (string)r[0]!).ToList();
        // comm holds at most 15 bytes (TASK_COMM_LEN 16); invalid UTF-8 bytes each become one U+FFFD.
        string[] expected = ["'; DROP TABLE s", "🔥burn🔥", "bad\uFFFD\uFFFDname"];
        foreach (var name in expected)
            Assert.Contains(name, commands);
        Assert.True(Convert.ToInt64(await db.ScalarAsync("SELECT COUNT(*) FROM samples"), CultureInfo.InvariantCulture) >= 3);
        var report = await ClusterWatchProcess.RunAsync(["report", "--mysql", db.ConnectionString, "--by", "command", "--since", "10m", "--top", "1000", "--format", "json"],
            TimeSpan.FromSeconds(60), env: new Dictionary<string, string> { ["CLUSTERWATCH_DB_PASSWORD"] = MariaDb.Password });
        Assert.Equal(0, report.ExitCode);
        var keys = JsonDocument.Parse(report.Stdout).RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()).ToList();
        foreach (var name in expected)
            Assert.Contains(name, keys);
    }

    [Fact]
    public async Task TwoWatchers_DifferentNodesBothStored_SameNodeRefused()
    {
        await using var db = await MariaDb.CreateDatabaseAsync();
        string[] args = ["watch", "--mysql", db.ConnectionString, "--sample", "1s", "--window", "3s", "--cycle", "9s", "--no-web"];
        var dirA = Directory.CreateTempSubdirectory("cw-wa-").FullName;
        using var a = WatcherProcess.Start(dirA, Node("wa"), [.. args, "--duration", "12s"]);
        using var b = WatcherProcess.Start(Directory.CreateTempSubdirectory("cw-wb-").FullName, Node("wb"), [.. args, "--duration", "12s"]);
        await OutageTests.WaitForSamplesAsync(db, 4);
        using var c = WatcherProcess.Start(Directory.CreateTempSubdirectory("cw-wc-").FullName, Node("wa"), [.. args, "--duration", "5s"]);
        Assert.Equal(1, await c.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("node wa is already watched by", c.Output, StringComparison.Ordinal);
        Assert.Contains(dirA, c.Output, StringComparison.Ordinal);
        Assert.Equal(0, await a.WaitAsync(TimeSpan.FromSeconds(40)));
        Assert.Equal(0, await b.WaitAsync(TimeSpan.FromSeconds(40)));
        var perNode = await db.RowsAsync("SELECT node_name, COUNT(*), MIN(seq), MAX(seq) FROM samples GROUP BY node_name ORDER BY node_name");
        Assert.Equal(["wa", "wb"], perNode.Select(r => (string)r[0]!));
        foreach (var r in perNode)
        {
            var (count, min, max) = (Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture), Convert.ToInt64(r[3], CultureInfo.InvariantCulture));
            Assert.True(count >= 4, $"{r[0]}: {count} samples");
            Assert.Equal((1L, count), (min, max));
        }
        // A clean stop releases the lease: the same node may be taken at once by another watcher.
        using var d = WatcherProcess.Start(Directory.CreateTempSubdirectory("cw-wd-").FullName, Node("wa"), [.. args, "--duration", "3s"]);
        Assert.Equal(0, await d.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static Dictionary<string, string> Node(string name) => new() { ["CLUSTERWATCH__Watch__LocalNode"] = name };

    private static Process Helper(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/sh");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("sh");
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }
}
