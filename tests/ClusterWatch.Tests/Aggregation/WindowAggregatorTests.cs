using ClusterWatch.Core.Aggregation;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Tests.Aggregation;

/// <summary>Windows and cycles at 1 s samples, 3 s windows, 9 s cycles; every expected value worked out by hand.</summary>
public class WindowAggregatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero); // aligned to 3 s and 9 s

    internal static NodeSample Sample(int second, params (string User, double Cpu, int Pid, long Start)[] procs)
    {
        var ps = procs.Select(p => new ProcessUsage(p.Pid, p.Start, 1000, p.User, "cmd-" + p.User, 'R', p.Cpu, 0, 1 << 20, 1.0)).ToList();
        var users = ps.GroupBy(p => p.User).Select(g => new UserUsage(g.Key, 1000, g.Sum(p => p.CpuPct), g.Sum(p => p.CpuPct), 0, g.Sum(p => p.RssBytes), g.Sum(p => p.MemPct), g.Count())).ToList();
        return new NodeSample("n1", second, T0.AddSeconds(second), 1, ps.Sum(p => p.CpuPct), 1, 2, 2, ps.Count, 0, SampleFlags.None, users, ps);
    }

    private static WindowAggregator New() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(9));

    private static WindowRow User(IEnumerable<WindowRow> rows, string user) => rows.Single(r => r.Kind == ItemKind.User && r.ItemKey == user);

    [Fact]
    public void SampleAtTheBoundary_ClosesTheWindowItEnds()
    {
        var agg = New();
        Assert.True(agg.Add(Sample(1, ("alice", 10, 5, 1))).IsEmpty);
        Assert.True(agg.Add(Sample(2, ("alice", 20, 5, 1))).IsEmpty);
        var closed = agg.Add(Sample(3, ("alice", 30, 5, 1))); // the interval ending at :03 belongs to [:00, :03)
        var w = User(closed.Windows, "alice");
        Assert.Equal(T0, w.Start);
        Assert.Equal(T0.AddSeconds(3), w.End);
        Assert.Equal(3, w.Samples);
        Assert.Equal(20, w.Cpu.Avg, 9);
        Assert.Equal(30, w.Cpu.Max);
        Assert.Equal((30.0, 20.0, 10.0), (w.Cpu.Last1!.Value, w.Cpu.Last2!.Value, w.Cpu.Last3!.Value));
        Assert.Empty(closed.History);
    }

    [Fact]
    public void UserAbsentFromASample_CountsAsZero_ProcessCountsOnlyWhereAlive()
    {
        var agg = New();
        agg.Add(Sample(1, ("alice", 30, 5, 1), ("bob", 90, 6, 1)));
        agg.Add(Sample(2, ("bob", 90, 6, 1)));
        var closed = agg.Add(Sample(3, ("alice", 60, 7, 1), ("bob", 90, 6, 1)));
        var alice = User(closed.Windows, "alice");
        Assert.Equal(3, alice.Samples);
        Assert.Equal(30, alice.Cpu.Avg, 9);        // (30 + 0 + 60) / 3
        Assert.Equal(0, alice.Cpu.Last2!.Value);
        var p5 = closed.Windows.Single(r => r.Kind == ItemKind.Process && r.ItemKey == "5:1");
        Assert.Equal(1, p5.Samples);
        Assert.Equal(30, p5.Cpu.Avg, 9);
        Assert.Null(p5.Cpu.Last2);
        var cmd = closed.Windows.Single(r => r.Kind == ItemKind.Command && r.ItemKey == "cmd-alice");
        Assert.Equal(30, cmd.Cpu.Avg, 9);
    }

    [Fact]
    public void MissingSample_CycleIsSampleWeighted_WithThreeWindowAverages()
    {
        var agg = New();
        var outputs = new List<AggregationOutput>();
        foreach (var s in new[] { 1, 2, 3, 4, 6, 7, 8, 9 }) // the sample ending at :05 is missing
            outputs.Add(agg.Add(Sample(s, ("alice", s is 4 or 6 ? 40 : 10, 5, 1))));
        var h = outputs.SelectMany(o => o.History).Single(r => r.Kind == ItemKind.User);
        Assert.Equal(8, h.Samples);
        Assert.Equal((3 * 10 + 2 * 40 + 3 * 10) / 8.0, h.Cpu.Avg, 9); // 17.5, not the mean of window means (20)
        Assert.Equal(40, h.Cpu.Max);
        Assert.Equal((10.0, 40.0, 10.0), (h.Cpu.W1!.Value, h.Cpu.W2!.Value, h.Cpu.W3!.Value));
        var w2 = outputs.SelectMany(o => o.Windows).Single(r => r.Kind == ItemKind.User && r.Start == T0.AddSeconds(3));
        Assert.Equal(2, w2.Samples);
    }

    [Fact]
    public void NodeDownForAWholeWindow_ClockClosesTheOpenOne_AndThatWindowAverageIsNull()
    {
        var agg = New();
        agg.Add(Sample(1, ("alice", 10, 5, 1)));
        agg.Add(Sample(2, ("alice", 10, 5, 1)));
        var byClock = agg.Advance("n1", T0.AddSeconds(3)); // the sample ending at :03 never came
        Assert.Equal(2, User(byClock.Windows, "alice").Samples);
        var closed = agg.Add(Sample(9, ("alice", 40, 5, 1)));
        var h = closed.History.Single(r => r.Kind == ItemKind.User);
        Assert.Equal(3, h.Samples);
        Assert.Equal(20, h.Cpu.Avg, 9);
        Assert.Equal(10, h.Cpu.W1);
        Assert.Null(h.Cpu.W2);
        Assert.Equal(40, h.Cpu.W3);
    }

    private const long MiB = 1 << 20;

    /// <summary>A snapshot's processes (pid, CPU %, RSS MiB) of user alice, stored through the real volume rule (no top-by-memory: only CPU keeps a row).</summary>
    private static (NodeSample Stored, IReadOnlyList<ProcessUsage> Alive) Snap(int second, params (int Pid, double Cpu, long RssMiB)[] procs)
    {
        var alive = procs.Select(p => new ProcessUsage(p.Pid, 1, 1000, "alice", "sleep", 'S', p.Cpu, 0, p.RssMiB * MiB, p.RssMiB)).ToList();
        var users = new List<UserUsage> { new("alice", 1000, alive.Sum(p => p.CpuPct), alive.Sum(p => p.CpuPct), 0, alive.Sum(p => p.RssBytes), alive.Sum(p => p.MemPct), alive.Count) };
        var stored = new NodeSample("n1", second, T0.AddSeconds(second), 1, alive.Sum(p => p.CpuPct), 1, 2, 2, alive.Count, 0, SampleFlags.None, users,
            Core.Sampling.VolumeFilter.Apply(alive, 0, false));
        return (stored, alive);
    }

    private static WindowAggregator Six() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(18));

    [Fact]
    public void ProcessAliveInEverySample_CountsTheSamplesItsRowWasNotKept_WithCpuZeroAndItsRealRss()
    {
        var agg = Six();
        var closed = AggregationOutput.Empty;
        for (var s = 1; s <= 6; s++)
        {
            // pid 5: 100 % in the first interval, idle after (summed into "(other)"), RSS 1 MiB then 2 MiB.
            var (stored, alive) = Snap(s, (5, s == 1 ? 100 : 0, s == 1 ? 1 : 2));
            Assert.Equal(s == 1 ? "5:1" : "(other):alice", stored.Processes.Single().ItemKey);
            closed = agg.Add(stored, alive);
        }
        var p = closed.Windows.Single(r => r.Kind == ItemKind.Process && r.ItemKey == "5:1");
        Assert.Equal(6, p.Samples);
        Assert.Equal(100.0 / 6, p.Cpu.Avg, 9);   // 16.67, not 100 over the one kept row
        Assert.Equal(100, p.Cpu.Max);
        Assert.Equal((0.0, 0.0, 0.0), (p.Cpu.Last1!.Value, p.Cpu.Last2!.Value, p.Cpu.Last3!.Value));
        Assert.Equal((1 + 5 * 2) * MiB / 6.0, p.Rss.Avg, 3);
        Assert.Equal(2 * MiB, p.Rss.Max);
        // The command is summed over the kept rows (absent = 0): the same CPU average as the process alive throughout.
        Assert.Equal(100.0 / 6, closed.Windows.Single(r => r.Kind == ItemKind.Command && r.ItemKey == "sleep").Cpu.Avg, 9);
    }

    [Fact]
    public void PidReusedByAnIdleProcess_IsNotCountedAsTheKeptOne()
    {
        // pid 5 (start 1) runs at 100 % in the first three samples and ends; an idle process gets pid 5 again (start
        // 2) for the last three, never kept: the first one's window counts its 3 samples only, not the stranger's.
        var agg = Six();
        var closed = AggregationOutput.Empty;
        for (var s = 1; s <= 6; s++)
        {
            var (stored, alive) = Snap(s, (5, s <= 3 ? 100 : 0, 1));
            if (s > 3)
                alive = [alive[0] with { StartTicks = 2 }];
            closed = agg.Add(stored, alive);
        }
        var p = closed.Windows.Single(r => r.Kind == ItemKind.Process && r.ItemKey == "5:1");
        Assert.Equal(3, p.Samples);
        Assert.Equal(100, p.Cpu.Avg, 9);
        Assert.DoesNotContain(closed.Windows, r => r.Kind == ItemKind.Process && r.ItemKey == "5:2");
    }

    [Fact]
    public void ProcessStartingMidWindow_CountsTheSamplesItWasAlive()
    {
        var agg = Six();
        var closed = AggregationOutput.Empty;
        for (var s = 1; s <= 6; s++)
        {
            // pid 9 appears in the 4th sample (60 %), idle after; pid 8 runs throughout at 10 %.
            var procs = new List<(int, double, long)> { (8, 10, 1) };
            if (s >= 4)
                procs.Add((9, s == 4 ? 60 : 0, 3));
            var (stored, alive) = Snap(s, [.. procs]);
            closed = agg.Add(stored, alive);
        }
        var p = closed.Windows.Single(r => r.Kind == ItemKind.Process && r.ItemKey == "9:1");
        Assert.Equal(3, p.Samples);
        Assert.Equal(20, p.Cpu.Avg, 9);    // (60 + 0 + 0) / 3
        Assert.Equal(3 * MiB, p.Rss.Avg, 3);
        Assert.Equal(6, closed.Windows.Single(r => r.Kind == ItemKind.Process && r.ItemKey == "8:1").Samples);
    }

    [Fact]
    public void ProcessKeptInOneWindowOfTheCycle_HistoryCountsTheWholeCycle_AndWindowsWhereItWasNeverKeptHaveNoRow()
    {
        var agg = Six();
        var outputs = new List<AggregationOutput>();
        for (var s = 1; s <= 18; s++)
        {
            var (stored, alive) = Snap(s, (5, s == 2 ? 90 : 0, 1));
            outputs.Add(agg.Add(stored, alive));
        }
        var windows = outputs.SelectMany(o => o.Windows).Where(r => r.Kind == ItemKind.Process && r.ItemKey == "5:1").ToList();
        Assert.Equal(T0, windows.Single().Start); // the volume rule's row count: only the window where it was kept
        Assert.Equal((6, 15.0), (windows[0].Samples, windows[0].Cpu.Avg));
        var h = outputs.SelectMany(o => o.History).Single(r => r.Kind == ItemKind.Process && r.ItemKey == "5:1");
        Assert.Equal(18, h.Samples);
        Assert.Equal(5, h.Cpu.Avg, 9);      // 90 / 18
        Assert.Equal(90, h.Cpu.Max);
        Assert.Equal((15.0, 0.0, 0.0), (h.Cpu.W1!.Value, h.Cpu.W2!.Value, h.Cpu.W3!.Value));
        Assert.Equal(MiB, h.Rss.W2!.Value, 3);
    }

    [Fact]
    public void PidReusedByAnotherUserMidWindow_IsTwoProcesses()
    {
        var agg = New();
        agg.Add(Sample(1, ("alice", 50, 31337, 50000)));
        agg.Add(Sample(2, ("bob", 0, 31337, 812345)));
        var closed = agg.Add(Sample(3, ("bob", 95, 31337, 812345)));
        var procs = closed.Windows.Where(r => r.Kind == ItemKind.Process).OrderBy(r => r.ItemKey).ToList();
        Assert.Equal(["31337:50000", "31337:812345"], procs.Select(p => p.ItemKey));
        Assert.Equal(("alice", 1, 50.0), (procs[0].User, procs[0].Samples, procs[0].Cpu.Avg));
        Assert.Equal(("bob", 2, 47.5), (procs[1].User, procs[1].Samples, procs[1].Cpu.Avg));
        Assert.Equal(50.0 / 3, User(closed.Windows, "alice").Cpu.Avg, 9);
    }

    [Fact]
    public void PartialWindowFlushedAtStop_IsCompletedWithTheSameKeyAfterRestart()
    {
        var first = New();
        first.Add(Sample(1, ("alice", 10, 5, 1)));
        var partial = first.Flush();
        var w = User(partial.Windows, "alice");
        Assert.Equal((1, 10.0), (w.Samples, w.Cpu.Avg));
        Assert.Equal(1, partial.History.Single(r => r.Kind == ItemKind.User).Samples);

        // Restart: the stored sample of the open cycle is reloaded, then sampling continues.
        var second = New();
        second.Add(Sample(1, ("alice", 10, 5, 1)));
        second.Add(Sample(2, ("alice", 20, 5, 1)));
        var done = User(second.Add(Sample(3, ("alice", 30, 5, 1))).Windows, "alice");
        Assert.Equal((w.Node, w.Start, w.Kind, w.ItemKey), (done.Node, done.Start, done.Kind, done.ItemKey));
        Assert.Equal((3, 20.0), (done.Samples, done.Cpu.Avg));
    }

    [Fact]
    public void SampleOlderThanTheOpenWindow_IsIgnored()
    {
        var agg = New();
        agg.Add(Sample(4, ("alice", 10, 5, 1)));
        Assert.True(agg.Add(Sample(2, ("alice", 99, 5, 1))).IsEmpty);
        var w = User(agg.Add(Sample(6, ("alice", 20, 5, 1))).Windows, "alice");
        Assert.Equal(15, w.Cpu.Avg, 9);
    }

    [Fact]
    public void PeriodStart_IntervalEndingAtTBelongsToTheWindowHoldingTMinusEpsilon()
    {
        var w = TimeSpan.FromSeconds(30);
        Assert.Equal(T0, WindowMath.PeriodStart(T0.AddSeconds(30), w));
        Assert.Equal(T0.AddSeconds(30), WindowMath.PeriodStart(T0.AddSeconds(35), w));
        Assert.Equal(T0.AddSeconds(-30), WindowMath.PeriodStart(T0, w));
    }
}
