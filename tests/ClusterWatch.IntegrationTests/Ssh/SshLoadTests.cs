using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Storage.MySql;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Ssh;

/// <summary>
/// Three sshd nodes, each in its own PID namespace, each running a different duty-cycle load as a different user.
/// The truth is measured independently: the loads' own utime+stime read from the host's /proc (outside the nodes).
/// Each run writes into SQLite and MariaDB at once and both stores are checked.
/// </summary>
[Collection("machine load")]
public sealed class SshLoadTests : IDisposable
{
    private static readonly (string Node, string User, double Fraction)[] Loads =
        [("load1", "cwload1", 0.6), ("load2", "cwload2", 0.3), ("load3", "cwload3", 0.12)];

    private readonly string _dir = Directory.CreateTempSubdirectory("cw-ssh-").FullName;

    [Fact]
    public Task Proc_ThreeNodesDifferentLoads_SqliteAndMariaDb_EachNodesUserMatchesItsOwnLoadWithin3Points() =>
        RunAsync("proc", n => new SshProcSource(SshNodes.Endpoint(n), SshNodes.QuickReconnect), 3);

    /// <summary>top rounds to 0.1 % and measures over its own -d interval, not the watcher's tick: a wider margin.</summary>
    [Fact]
    public Task Top_ThreeNodesDifferentLoads_SqliteAndMariaDb_EachNodesUserMatchesItsOwnLoadWithin6Points() =>
        RunAsync("top", n => new ClusterWatch.Core.Sources.Top.TopSource(n, new SshTopTransport(SshNodes.Endpoint(n), SshNodes.QuickReconnect), 1, null, "C.UTF-8"), 6);

    private async Task RunAsync(string kind, Func<string, INodeSource> source, double tolerance)
    {
        _ = SshNodes.Dir;
        foreach (var (node, user, fraction) in Loads)
            SshNodes.Start(node, "--load", $"{user}:{fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        try
        {
            await Task.Delay(1000);
            var sources = Loads.Select(l => source(l.Node)).ToList();
            long t0 = 0, t1 = 0;
            var before = new long[Loads.Length];
            var after = new long[Loads.Length];
            var pids = Loads.Select(l => SshNodes.PidsOf(l.Node, l.User)).ToList();
            Assert.All(pids, p => Assert.NotEmpty(p));
            // One run into SQLite and MariaDB at once (the same samples reach both stores), each checked on its own.
            var db = Path.Combine(_dir, "load.db");
            await using var maria = await MariaDb.CreateDatabaseAsync();
            await using var store = new TeeStore(new SqliteUsageStore(db), new MySqlUsageStore(maria.ConnectionString, MariaDb.Password));
            var run = await SshWatch.RunAsync(sources, TimeSpan.FromSeconds(19), _dir, async () =>
            {
                // Read the truth just after two ticks 12 s apart; the samples of the ticks in (t0, t1] cover the same span.
                t0 = await AfterTickAsync(4);
                for (var i = 0; i < Loads.Length; i++)
                    before[i] = SshNodes.CpuTicks(pids[i]);
                t1 = await AfterTickAsync(12);
                for (var i = 0; i < Loads.Length; i++)
                    after[i] = SshNodes.CpuTicks(pids[i]);
            }, store);
            var truth = Loads.Select((_, i) => (after[i] - before[i]) / 100.0 / (t1 - t0) * 100).ToArray();
            var problems = string.Join(" | ", run.Reporter.Lines);
            await CheckAsync($"{kind} sqlite", (sql, args) => SqliteScalarAsync(db, sql, args), truth, t0, t1, tolerance, problems);
            await CheckAsync($"{kind} mariadb", (sql, args) => MariaDbScalarAsync(maria.ConnectionString, sql, args), truth, t0, t1, tolerance, problems);
            var names = await SshWatch.ColumnAsync<string>(db, "SELECT status FROM nodes ORDER BY node_name");
            Assert.All(names, s => Assert.Equal("up", s));
            Assert.Equal(3.0, await MariaDbScalarAsync(maria.ConnectionString, "SELECT COUNT(*) FROM nodes WHERE status = 'up'", []));
        }
        finally
        {
            foreach (var (node, _, _) in Loads)
                SshNodes.Stop(node);
        }
    }

    /// <summary>Each node's stored per-user CPU against its load's own CPU, in one store (SQL valid in SQLite and MariaDB).</summary>
    private static async Task CheckAsync(string label, Func<string, (string Name, object Value)[], Task<double>> scalar, double[] truth, long t0, long t1, double tolerance, string problems)
    {
        var measured = new double[Loads.Length];
        for (var i = 0; i < Loads.Length; i++)
        {
            var (node, user, _) = Loads[i];
            var samples = await scalar("SELECT COUNT(*) FROM samples WHERE node_name = @n AND ts > @a AND ts <= @b", [("@n", node), ("@a", t0), ("@b", t1)]);
            // Cadence is SshFaultTests' and SshFanOutTests' subject; here a tick lost to a machine-wide stall (or, for
            // top, a tick between two of its frames) only thins the average of a steady load.
            Assert.True(samples >= t1 - t0 - 3, $"{label} {node}: {samples} samples in {t1 - t0} s; problems: {problems}");
            // CPU-seconds stored (each interval's % × its length on the node's clock) over the time those samples cover:
            // a late or lost tick changes interval lengths, which a plain mean of percentages would weigh wrongly.
            var cpuSeconds = await scalar("SELECT COALESCE(SUM(u.cpu_pct * s.interval_s), 0) FROM user_samples u JOIN samples s ON s.node_name = u.node_name AND s.seq = u.seq WHERE u.node_name = @n AND u.username = @u AND s.ts > @a AND s.ts <= @b", [("@n", node), ("@u", user), ("@a", t0), ("@b", t1)]);
            var covered = await scalar("SELECT SUM(interval_s) FROM samples WHERE node_name = @n AND ts > @a AND ts <= @b", [("@n", node), ("@a", t0), ("@b", t1)]);
            measured[i] = cpuSeconds / covered;
            TestServers.Record("accuracy.txt", $"ssh {label} {DateTime.UtcNow:O} {node}/{user}: stored {measured[i]:0.00}% vs host /proc {truth[i]:0.00}%");
            Assert.True(Math.Abs(measured[i] - truth[i]) <= tolerance, $"{label} {node}/{user}: stored average {measured[i]:0.00}% vs the load's own CPU {truth[i]:0.00}%");
            Assert.True(truth[i] > 1, $"{node}: the load did not run ({truth[i]:0.0}%)");
            // Each node sees only its own processes: the other nodes' load users never appear on it.
            foreach (var (_, other, _) in Loads.Where(l => l.User != user))
            {
                var foreign = await scalar("SELECT COUNT(*) FROM user_samples WHERE node_name = @n AND username = @u", [("@n", node), ("@u", other)]);
                Assert.True(foreign == 0, $"{label}: {other} appears on {node}: the node was not read through its own namespace");
            }
        }
        // The loads differ as configured (0.6 > 0.3 > 0.12 of a core; less when the machine is busy), and so do the stored values.
        Assert.True(measured[0] > measured[1] * 1.3 && measured[1] > measured[2] * 1.3, $"{label}: stored {string.Join(", ", measured.Select(m => m.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    private static async Task<double> SqliteScalarAsync(string db, string sql, (string Name, object Value)[] args) =>
        (await SshWatch.ColumnAsync<double>(db, sql, args))[0];

    private static async Task<double> MariaDbScalarAsync(string connectionString, string sql, (string Name, object Value)[] args)
    {
        await using var c = await MariaDb.OpenAsync(connectionString);
        await using var cmd = new MySqlConnector.MySqlCommand(sql, c);
        foreach (var (name, value) in args)
            cmd.Parameters.AddWithValue(name, value);
        return Convert.ToDouble(await cmd.ExecuteScalarAsync() ?? 0.0, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until <paramref name="seconds"/> whole seconds from now have passed, then 300 ms more; returns that tick (unix s).</summary>
    internal static async Task<long> AfterTickAsync(int seconds)
    {
        var tick = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + seconds;
        var wait = DateTimeOffset.FromUnixTimeSeconds(tick).AddMilliseconds(300) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
        return tick;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
