using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources.Top;
using ClusterWatch.Core.Storage;
using Microsoft.Data.Sqlite;

namespace ClusterWatch.Tests.Sources.Top;

public sealed class TopLogImporterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-import-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>One frame at clock <paramref name="clock"/>: alice at <paramref name="alicePct"/>, TIME+ growing.</summary>
    private static string Frame(string clock, string alicePct, string aliceTime) => $"""
        top - {clock} up 9 min,  0 user,  load average: 1.00, 1.00, 1.00
        Tasks:   2 total,   1 running,   1 sleeping,   0 stopped,   0 zombie
        %Cpu(s): 50.0 us,  0.0 sy,  0.0 ni, 50.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st 
        MiB Mem :   1000.0 total,    500.0 free,    400.0 used,    100.0 buff/cache     
        MiB Swap:      0.0 total,      0.0 free,      0.0 used.    550.0 avail Mem 

          PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
          100 alice     20   0   10000   1024   1000 R {alicePct}   0.1   {aliceTime} spin
          200 bob       20   0   10000   2048   1000 S   0.0   0.2   0:00.00 sleep

        """;

    private static IReadOnlyList<TopFrame> MidnightLog() => TopParser.ParseText(
        Frame("23:59:58", " 99.0", "0:01.00") + Frame("23:59:59", "100.0", "0:02.00") +
        Frame("00:00:00", " 98.0", "0:02.98") + Frame("00:00:01", "101.0", "0:03.99")).Frames;

    [Fact]
    public void FrameTimes_RollOverAtMidnight()
    {
        var times = TopLogTimes.FrameTimes(MidnightLog(), new DateOnly(2026, 12, 31), TimeSpan.FromHours(1));
        // 23:59:58 at +01:00 on 2026-12-31 is 22:59:58Z; 00:00:00 local is the next day.
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 22, 59, 58, TimeSpan.Zero), times[0]);
        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 0, 0, TimeSpan.Zero), times[2]);
        Assert.Equal(1, TopLogTimes.IntervalSeconds(times));
    }

    [Fact]
    public async Task Import_MidnightLog_SamplesByHandAndSecondImportChangesNothing()
    {
        await using var store = new SqliteUsageStore(Path.Combine(_dir, "t.db"));
        await store.MigrateAsync(CancellationToken.None);
        var o = new TopImportOptions("logged", new DateOnly(2026, 12, 31), TimeSpan.Zero, 2, 1, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9));
        var first = await TopLogImporter.ImportAsync(MidnightLog(), store, o, null, CancellationToken.None);
        Assert.Equal(3, first.Samples); // four frames, the first only a baseline
        var samples = await store.LoadSamplesAsync("logged", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, CancellationToken.None);
        Assert.Equal(
            [new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero), new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), new(2027, 1, 1, 0, 0, 1, TimeSpan.Zero)],
            samples.Select(s => s.Time));
        Assert.Equal([100.0, 98.0, 101.0], samples.Select(s => s.Users.Single(u => u.User == "alice").CpuPct));
        Assert.All(samples, s => Assert.Equal(100.0, s.CpuBusyPct)); // 50 % of the node × 2 CPUs
        var before = Dump(Path.Combine(_dir, "t.db"));
        var second = await TopLogImporter.ImportAsync(MidnightLog(), store, o, null, CancellationToken.None);
        Assert.Equal(3, second.AlreadyStored);
        Assert.Equal(before, Dump(Path.Combine(_dir, "t.db")));
        // Window [23:59:57, 00:00:00) holds the samples at 23:59:59 and 00:00:00: alice (100 + 98) / 2 = 99.
        Assert.Contains("windows:user|alice|2026-12-31 23:59:57|2|99", before, StringComparison.Ordinal);
    }

    private static string Dump(string path)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        var lines = new List<string>();
        foreach (var (table, sql) in new[]
        {
            ("samples", "SELECT node_name, seq, ts, cpu_busy_pct, process_count FROM samples ORDER BY seq"),
            ("user_samples", "SELECT seq, username, cpu_pct, rss_bytes FROM user_samples ORDER BY seq, username"),
            ("process_samples", "SELECT seq, pid, username, command, cpu_pct FROM process_samples ORDER BY seq, pid"),
            ("windows", "SELECT kind, item_key, datetime(window_start_ts, 'unixepoch'), samples, cpu_avg_pct FROM windows ORDER BY window_start_ts, kind, item_key"),
            ("history", "SELECT kind, item_key, cycle_start_ts, samples, cpu_avg_pct, cpu_w1_pct, cpu_w2_pct, cpu_w3_pct FROM history ORDER BY cycle_start_ts, kind, item_key"),
            ("nodes", "SELECT node_name, source, status, first_seen_ts, last_seen_ts FROM nodes"),
        })
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            while (r.Read())
                lines.Add(table + ":" + string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return string.Join("\n", lines);
    }
}
