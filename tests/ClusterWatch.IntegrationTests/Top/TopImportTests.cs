using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Top;

/// <summary>
/// `clusterwatch import` of a log recorded here (2 minutes of `top -b -d 1`, across window boundaries, with a steady
/// load), against averages computed by hand from the log's text; the same log with its clocks moved across midnight;
/// and a second import that changes nothing.
/// </summary>
[Collection("machine load")]
public sealed partial class TopImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-topimport-").FullName;

    public TopImportTests() => File.SetUnixFileMode(_dir, (UnixFileMode)0x1FF);

    [Fact]
    public async Task Import_RecordedLog_WindowAveragesAsByHand_MidnightAndIdempotent()
    {
        LoadUsers.RequireRoot("runs a load as a test user");
        LoadUsers.Ensure("cwtopsty");
        var load = LoadUsers.Start("cwtopsty", LoadUsers.Steady, _dir, "steady", "0.3");
        string log;
        try
        {
            log = await RecordAsync(frames: 122);
        }
        finally
        {
            LoadUsers.Stop(load);
        }
        var logPath = Path.Combine(_dir, "top.log");
        await File.WriteAllTextAsync(logPath, log);
        var db = Path.Combine(_dir, "import.db");
        var cpus = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        string[] args = ["import", logPath, "--node", "rec", "--date", "2026-12-03", "--cpus", cpus, "--db", db];
        var first = await ClusterWatchProcess.RunAsync(args, TimeSpan.FromMinutes(3), _dir);
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.Contains("imported", first.Stdout, StringComparison.Ordinal);

        // By hand: frames split at "top - ", clock from that line, cwtopsty's %CPU summed per frame (9th column).
        var frames = HandFrames(log, new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc));
        Assert.True(frames.Count >= 120 && (frames[^1].Time - frames[0].Time).TotalSeconds >= 120, $"{frames.Count} frames");
        var samples = frames.Skip(1).ToList(); // the first frame is never used for CPU
        Assert.Equal(samples.Count, await SqliteQuery.ScalarAsync<long>(db, "SELECT COUNT(*) FROM samples WHERE node_name = 'rec'"));
        var windows = samples.GroupBy(f => WindowStart(f.Time, 30)).ToList();
        Assert.True(windows.Count >= 4, "the log must cross window boundaries");
        foreach (var w in windows)
        {
            var byHand = w.Average(f => f.Steady);
            var stored = await SqliteQuery.ScalarAsync<double>(db,
                "SELECT cpu_avg_pct FROM windows WHERE node_name = 'rec' AND kind = 'user' AND item_key = 'cwtopsty' AND window_start_ts = @p0",
                new DateTimeOffset(w.Key).ToUnixTimeSeconds());
            var count = await SqliteQuery.ScalarAsync<long>(db,
                "SELECT samples FROM windows WHERE node_name = 'rec' AND kind = 'user' AND item_key = 'cwtopsty' AND window_start_ts = @p0",
                new DateTimeOffset(w.Key).ToUnixTimeSeconds());
            Assert.True(Math.Abs(byHand - stored) < 1e-6, $"window {w.Key:HH:mm:ss}: by hand {byHand} vs stored {stored}");
            Assert.Equal(w.Count(), count);
        }
        Assert.True(samples.Average(f => f.Steady) > 10, "the load did not show in top");

        var before = await SqliteQuery.DumpAsync(db);
        var second = await ClusterWatchProcess.RunAsync(args, TimeSpan.FromMinutes(3), _dir);
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        Assert.Contains($"({samples.Count} already stored)", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await SqliteQuery.DumpAsync(db));

        // The same frames with their clocks moved to start at 23:59:00: the log crosses midnight.
        var moved = MoveClocks(log, new TimeSpan(23, 59, 0), frames[0].Time.TimeOfDay);
        var movedPath = Path.Combine(_dir, "midnight.log");
        await File.WriteAllTextAsync(movedPath, moved);
        var mid = await ClusterWatchProcess.RunAsync(["import", movedPath, "--node", "mid", "--date", "2026-12-31", "--cpus", cpus, "--db", db], TimeSpan.FromMinutes(3), _dir);
        Assert.True(mid.ExitCode == 0, mid.Stdout + mid.Stderr);
        var ts = (await SqliteQuery.RowsAsync(db, "SELECT ts FROM samples WHERE node_name = 'mid' ORDER BY ts")).Select(long.Parse).ToList();
        Assert.Equal(samples.Count, ts.Count);
        var start = new DateTimeOffset(2026, 12, 31, 23, 59, 0, TimeSpan.Zero);
        Assert.Equal(samples.Select(f => (start + (f.Time - frames[0].Time)).ToUnixTimeSeconds()), ts);
        Assert.Contains(ts, t => DateTimeOffset.FromUnixTimeSeconds(t).Year == 2027);
        // The rewritten clocks change no CPU value: per-sample user sums equal the original import's.
        Assert.Equal(
            await SqliteQuery.RowsAsync(db, "SELECT cpu_pct FROM user_samples WHERE node_name = 'rec' AND username = 'cwtopsty' ORDER BY seq"),
            await SqliteQuery.RowsAsync(db, "SELECT cpu_pct FROM user_samples WHERE node_name = 'mid' AND username = 'cwtopsty' ORDER BY seq"));
    }

    private async Task<string> RecordAsync(int frames)
    {
        var home = Path.Combine(_dir, "home");
        Directory.CreateDirectory(home);
        var psi = new ProcessStartInfo("top", ["-b", "-d", "1", "-n", frames.ToString(CultureInfo.InvariantCulture), "-w", "512"])
        {
            UseShellExecute = false, RedirectStandardOutput = true,
        };
        psi.Environment.Remove("XDG_CONFIG_HOME");
        psi.Environment["HOME"] = home;
        psi.Environment["LC_ALL"] = "C.UTF-8";
        using var p = Process.Start(psi)!;
        var text = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return text;
    }

    private sealed record HandFrame(DateTime Time, double Steady);

    private static List<HandFrame> HandFrames(string log, DateTime date)
    {
        var list = new List<HandFrame>();
        var day = date;
        TimeSpan? prev = null;
        var inRows = false;
        foreach (var line in log.Split('\n'))
        {
            var m = ClockLine().Match(line);
            if (m.Success)
            {
                var clock = TimeSpan.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                if (prev is { } p && clock < p)
                    day = day.AddDays(1);
                prev = clock;
                list.Add(new HandFrame(day + clock, 0));
                inRows = false;
            }
            else if (line.TrimStart().StartsWith("PID USER", StringComparison.Ordinal))
                inRows = true;
            else if (inRows && line.Trim().Length > 0)
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f[1] == "cwtopsty")
                    list[^1] = list[^1] with { Steady = list[^1].Steady + double.Parse(f[8], CultureInfo.InvariantCulture) };
            }
        }
        return list;
    }

    private static DateTime WindowStart(DateTime t, int seconds)
    {
        var ticks = t.Ticks - 1;
        return new DateTime(ticks - ticks % TimeSpan.FromSeconds(seconds).Ticks, DateTimeKind.Utc);
    }

    private static string MoveClocks(string log, TimeSpan newStart, TimeSpan oldStart)
    {
        var day = TimeSpan.Zero;
        TimeSpan? prev = null;
        return ClockLine().Replace(log, m =>
        {
            var clock = TimeSpan.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (prev is { } p && clock < p)
                day += TimeSpan.FromDays(1);
            prev = clock;
            var moved = newStart + (clock + day - oldStart);
            return "top - " + new DateTime(moved.Ticks % TimeSpan.TicksPerDay).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        });
    }

    [GeneratedRegex(@"^top - (\d\d:\d\d:\d\d)", RegexOptions.Multiline)]
    private static partial Regex ClockLine();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
