using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Storage;
using ClusterWatch.Core.Watching;
using Microsoft.Extensions.Time.Testing;

namespace ClusterWatch.Tests.Watching;

/// <summary>The watcher driven by a fake clock (1 s samples, 3 s windows, 9 s cycles) into a real SQLite file.</summary>
public sealed class WatcherTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-watcher-").FullName;
    private readonly FakeTimeProvider _clock = new(T0.AddMilliseconds(200));
    private readonly Quiet _reporter = new();

    /// <summary>
    /// alice runs one process at exactly half a core on the node's clock (the node busy as given, default the same);
    /// with <paramref name="burst"/> also pid 43, which uses a whole core in the interval ending at :02 and none after.
    /// </summary>
    private sealed class HalfCoreSource(TimeProvider clock, double busyShare = 0.5, bool burst = false) : INodeSource
    {
        public int Calls;

        public readonly List<DateTimeOffset> Ticks = [];

        public string Node => "n1";

        public string Host => "fake";

        public string Kind => "proc";

        public Task<NodeSnapshot> TakeAsync(DateTimeOffset tick, CancellationToken cancellationToken)
        {
            Assert.Equal(0, tick.UtcTicks % TimeSpan.TicksPerSecond); // ticks are UTC multiples of the interval
            var uptime = 1000 + (tick - T0).TotalSeconds;
            var p = new RawProcess(42, 1, 100, 1001, "alice", "sim", 'R', uptime * 0.5, 0, 1 << 20);
            lock (Ticks)
                Ticks.Add(tick);
            Interlocked.Increment(ref Calls);
            _ = clock;
            RawProcess[] ps = burst ? [p, new RawProcess(43, 1, 100, 1001, "alice", "sleep", 'S', Math.Clamp(uptime - 1001, 0, 1), 0, 1 << 19)] : [p];
            return Task.FromResult(new NodeSnapshot("n1", "boot", tick, uptime, 2, uptime * (busyShare + (burst ? 0.5 : 0)), uptime * 2, 1L << 30, 1L << 29, ps, ps.Length));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Quiet : IWatchReporter
    {
        public readonly List<string> Lines = [];

        public void Status(string line)
        {
            lock (Lines)
                Lines.Add(line);
        }

        public void Problem(string node, string message) => throw new Xunit.Sdk.XunitException($"{node}: {message}");

        public void Debug(string message) { }
    }

    private async Task<Watcher> RunTicksAsync(SqliteUsageStore store, int ticks, long expectLastSeq, double busyShare = 0.5, bool burst = false, int topByMemory = 20)
    {
        var source = new HalfCoreSource(_clock, busyShare, burst);
        var options = new WatchOptions { Sample = TimeSpan.FromSeconds(1), Window = TimeSpan.FromSeconds(3), Cycle = TimeSpan.FromSeconds(9), PruneEvery = TimeSpan.FromDays(1), TopByMemory = topByMemory };
        var watcher = new Watcher([source], store, options, _clock, new LiveState(), _reporter);
        using var stop = new CancellationTokenSource();
        var run = watcher.RunAsync(stop.Token);
        await TicksAsync(source, store, ticks, expectLastSeq);
        await stop.CancelAsync();
        await run;
        return watcher;
    }

    /// <summary>Advances the clock one second at a time, waiting for each tick's sample, until the store holds the expected seq.</summary>
    private async Task TicksAsync(HalfCoreSource source, SqliteUsageStore store, int ticks, long expectLastSeq)
    {
        for (var i = 1; i <= ticks; i++)
        {
            await Until(() => source.Calls == i - 1);
            await Task.Delay(20);
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Until(() => source.Calls == i);
        }
        await Until(() => store.GetLastSeqAsync("n1", CancellationToken.None).Result == expectLastSeq);
        await Task.Delay(50);
    }

    [Fact]
    public async Task UsersAboveTheNodesBusyCpu_AreCountedInTheStatusLine_AndTheCountResets()
    {
        // alice at 50 % of a core while the node says it was 10 % busy: 40 points more than possible (flag 2).
        await using var store = new SqliteUsageStore(Path.Combine(_dir, "residue.db"));
        await store.MigrateAsync(CancellationToken.None);
        var watcher = await RunTicksAsync(store, 4, expectLastSeq: 3, busyShare: 0.1);
        var samples = await store.LoadSamplesAsync("n1", T0, T0.AddSeconds(10), CancellationToken.None);
        Assert.All(samples, s => Assert.True(s.Flags.HasFlag(SampleFlags.NegativeResidue)));
        // Each status line counts the flagged samples since the one before: over the run's lines and one more, all 3.
        var lines = _reporter.Lines.Append(watcher.StatusLine(T0, T0.AddSeconds(3))).ToList();
        var counted = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"(\d+) samples? with users above the node's busy CPU \(flag 2\)"))
            .Where(m => m.Success).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3, counted);
        Assert.EndsWith("problems: none", watcher.StatusLine(T0.AddSeconds(3), T0.AddSeconds(6)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessIdleAfterItsFirstInterval_WindowCountsTheSampleItsRowWasSummedIntoOther()
    {
        // Ticks :01 (baseline), :02 seq 1, :03 seq 2 close [:00, :03). Pid 43 used 100 % in the interval ending at :02
        // and 0 in the one ending at :03, where the volume rule (no top by memory) summed it into alice's "(other)".
        await using var store = new SqliteUsageStore(Path.Combine(_dir, "alive.db"));
        await store.MigrateAsync(CancellationToken.None);
        await RunTicksAsync(store, 3, expectLastSeq: 2, burst: true, topByMemory: 0);
        var samples = await store.LoadSamplesAsync("n1", T0, T0.AddSeconds(10), CancellationToken.None);
        Assert.Equal([true, false], samples.Select(s => s.Processes.Any(p => p.Pid == 43)));
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path}");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT samples, cpu_avg_pct, cpu_max_pct, rss_avg_bytes FROM windows WHERE kind = 'process' AND pid = 43 AND window_start_ts = $t";
        cmd.Parameters.AddWithValue("$t", T0.ToUnixTimeSeconds());
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        // (100 + 0) / 2 samples alive, not 100 over the one kept row; RSS 512 KiB in both.
        Assert.Equal((2, 50.0, 100.0, 524288.0), (r.GetInt32(0), Math.Round(r.GetDouble(1), 6), Math.Round(r.GetDouble(2), 6), r.GetDouble(3)));
    }

    [Fact]
    public async Task DurationEndingJustAfterAWindowCloses_StillPrintsThatWindowsStatusLine()
    {
        // Started at :00.2 for 6.1 s: stops at :06.3, after the sample at :06 closed [:03, :06) but before that window's
        // status line was due (:06.5, half a sample after the end). Lines: [:00, :03) from the loop, [:03, :06) at stop,
        // and no partial window (nothing was sampled after :06).
        await using var store = new SqliteUsageStore(Path.Combine(_dir, "duration.db"));
        await store.MigrateAsync(CancellationToken.None);
        var source = new HalfCoreSource(_clock);
        var options = new WatchOptions
        {
            Sample = TimeSpan.FromSeconds(1), Window = TimeSpan.FromSeconds(3), Cycle = TimeSpan.FromSeconds(9),
            PruneEvery = TimeSpan.FromDays(1), Duration = TimeSpan.FromSeconds(6.1),
        };
        var run = new Watcher([source], store, options, _clock, new LiveState(), _reporter).RunAsync(CancellationToken.None);
        await TicksAsync(source, store, 6, expectLastSeq: 5);
        _clock.Advance(TimeSpan.FromMilliseconds(100)); // :06.3: the duration is over
        await run;
        Assert.Equal(
            ["10:00:03Z window 10:00:00–10:00:03", "10:00:06Z window 10:00:03–10:00:06"],
            _reporter.Lines.Select(l => l.Split(" · ")[0]));
        Assert.Equal((3, 50.0), await WindowAsync(store, T0.AddSeconds(3)));
    }

    /// <summary>The fake clock, but its timers fire 30 ms before they are due (as the system's did against the wall clock).</summary>
    private sealed class EarlyTimers(FakeTimeProvider inner) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.FromTicks(Math.Max(0, (dueTime - TimeSpan.FromMilliseconds(30)).Ticks)), period);
    }

    [Fact]
    public async Task TimerWakingBeforeTheTick_EachTickIsSampledOnce()
    {
        // Woken at :00.98 for the tick :01, the sample ends before :01; the next tick is :02, not :01 again.
        await using var store = new SqliteUsageStore(Path.Combine(_dir, "early.db"));
        await store.MigrateAsync(CancellationToken.None);
        var source = new HalfCoreSource(_clock);
        var options = new WatchOptions { Sample = TimeSpan.FromSeconds(1), Window = TimeSpan.FromSeconds(3), Cycle = TimeSpan.FromSeconds(9), PruneEvery = TimeSpan.FromDays(1) };
        using var stop = new CancellationTokenSource();
        var run = new Watcher([source], store, options, new EarlyTimers(_clock), new LiveState(), _reporter).RunAsync(stop.Token);
        try
        {
            _clock.Advance(TimeSpan.FromMilliseconds(780)); // :00.98
            for (var i = 1; i <= 3; i++)
            {
                await Until(() => source.Calls >= i);
                await Task.Delay(100);
                _clock.Advance(TimeSpan.FromSeconds(1));
            }
            await Until(() => source.Calls >= 4);
        }
        finally
        {
            await stop.CancelAsync(); // without the fix the loop samples :01 over and over until stopped
            await run;
        }
        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3), T0.AddSeconds(4)], source.Ticks);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("the watcher did not get there in 10 s");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Restart_ContinuesTheSequence_DuplicatesNothing_AndCompletesThePartialWindow()
    {
        await using var store = new SqliteUsageStore(Path.Combine(_dir, "cw.db"));
        await store.MigrateAsync(CancellationToken.None);

        // Run 1: ticks :01 (baseline), :02 seq 1, :03 seq 2 (closes [:00, :03)), :04 seq 3; then stop.
        await RunTicksAsync(store, 4, expectLastSeq: 3);
        var firstRun = await store.LoadSamplesAsync("n1", T0, T0.AddSeconds(10), CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], firstRun.Select(s => s.Seq));
        Assert.All(firstRun, s => Assert.Equal(50.0, s.Users.Single().CpuPct, 6));
        Assert.Equal((1, 50.0), await WindowAsync(store, T0.AddSeconds(3))); // flushed partial window

        // Run 2 continues at :05 (new baseline) and :06 seq 4, which completes [:03, :06).
        await RunTicksAsync(store, 2, expectLastSeq: 4);
        var all = await store.LoadSamplesAsync("n1", T0, T0.AddSeconds(10), CancellationToken.None);
        Assert.Equal([1L, 2L, 3L, 4L], all.Select(s => s.Seq));
        Assert.Equal((2, 50.0), await WindowAsync(store, T0.AddSeconds(3)));
        Assert.Equal((2, 50.0), await WindowAsync(store, T0));
        var top = await store.TopAsync(new TopQuery(ItemKind.User, T0, T0.AddSeconds(9)), CancellationToken.None);
        Assert.Equal(50.0, top.Single().CpuAvgPct, 6);
        Assert.Equal(4, top.Single().Samples);
    }

    private static async Task<(int Samples, double Avg)> WindowAsync(SqliteUsageStore store, DateTimeOffset start)
    {
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path}");
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*), MAX(samples), MAX(cpu_avg_pct) FROM windows WHERE kind = 'user' AND item_key = 'alice' AND window_start_ts = $t";
        cmd.Parameters.AddWithValue("$t", start.ToUnixTimeSeconds());
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(1, r.GetInt32(0)); // one row per window and item, never a duplicate
        return (r.GetInt32(1), r.GetDouble(2));
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        return ValueTask.CompletedTask;
    }
}
