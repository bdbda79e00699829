using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sampling;
using ClusterWatch.Tests.Fixtures;

namespace ClusterWatch.Tests.Sampling;

public class CpuDeltaTrackerTests
{
    private const int Tck = 100;

    /// <summary>A process in ticks, for hand-computed scenarios. Start 1 tick after boot unless given.</summary>
    private static RawProcess P(int pid, int ppid, long utime, long cutime = 0, long start = 1, string user = "alice", string comm = "work") =>
        new(pid, ppid, start, 1001, user, comm, 'R', utime / (double)Tck, cutime / (double)Tck, 4096);

    private static NodeSample? Feed(CpuDeltaTracker t, double time, params RawProcess[] ps) =>
        t.Update(Procsample.Snapshot(time, ps, ncpu: 4));

    [Fact]
    public void C17_PidReusedByAnotherUser_IsANewProcessWithNoBaseline()
    {
        var (_, _, snaps) = Procsample.Parse(Procsample.Case("C17", "input.txt"));
        var tracker = new CpuDeltaTracker();
        Assert.Null(tracker.Update(snaps[0]));
        var s1 = tracker.Update(snaps[1])!;
        var s2 = tracker.Update(snaps[2])!;
        var s3 = tracker.Update(snaps[3])!;

        // Expected from C17: alice 1.0 cores over 0→5; bob's gzip has no baseline over 5→10; bob 0.95 over 10→15.
        Assert.Equal(100.0, s1.Processes.Single().CpuPct, 6);
        Assert.Equal("alice", s1.Processes.Single().User);
        var reused = s2.Processes.Single();
        Assert.Equal("bob", reused.User);
        Assert.False(reused.HasBaseline);
        Assert.Equal(0.0, reused.CpuPct);
        Assert.DoesNotContain(s2.Users, u => u.User == "alice");
        Assert.Equal(95.0, s3.Users.Single(u => u.User == "bob").CpuPct, 6);
        Assert.All(new[] { s1, s2, s3 }.SelectMany(s => s.Processes), p => Assert.True(p.CpuPct >= 0));
        Assert.Equal(1, tracker.PidReuses); // PID_REUSED
    }

    [Fact]
    public void C18_ReapedChildren_CreditedToTheParentsUser_AndUnattributedIsTheRest()
    {
        // /proc/stat busy ticks (all CPUs): 100000 at t=0, 101900 at t=5.
        var (_, _, snaps) = Procsample.Parse(Procsample.Case("C18", "input.txt"), t => (t == 0 ? 100000 : 101900) / 100.0);
        var tracker = new CpuDeltaTracker();
        tracker.Update(snaps[0]);
        var s = tracker.Update(snaps[1])!;
        var make = s.Processes.Single();
        Assert.Equal(0.2, make.CpuPct, 6);              // 0.002 cores self
        Assert.Equal(378.0, make.ChildrenCpuPct, 6);    // 3.78 cores from reaped children
        Assert.Equal(378.2, s.Users.Single().CpuPct, 6); // including_reaped_children 3.782
        Assert.Equal(0.2, s.Users.Single().OwnCpuPct, 6); // self_only 0.002
        Assert.Equal(380.0, s.CpuBusyPct, 6);           // busy 3.8 cores
        Assert.Equal(1.8, s.UnattributedCpuPct, 6);     // 3.8 − 3.782
        Assert.False(s.Flags.HasFlag(SampleFlags.NegativeResidue));
    }

    [Fact]
    public void LongLivedChildThatEnds_AddsOnlyItsLastInterval()
    {
        // Parent 10 (shell) and child 11 burning 1 core. Child seen at t=0,5,10 (utime 0→500→1000 ticks); reaped
        // before t=15 after 400 more ticks: the parent's cutime grows by its whole life, 1400 ticks.
        var t = new CpuDeltaTracker();
        Feed(t, 0, P(10, 1, 0), P(11, 10, 0));
        var a = Feed(t, 5, P(10, 1, 0), P(11, 10, 500))!;
        var b = Feed(t, 10, P(10, 1, 0), P(11, 10, 1000))!;
        var c = Feed(t, 15, P(10, 1, 0, cutime: 1400))!;
        Assert.Equal(100.0, a.Users.Single().CpuPct, 6);
        Assert.Equal(100.0, b.Users.Single().CpuPct, 6);
        // Only the 400 ticks after the last sample: 4 s / 5 s = 80 %.
        Assert.Equal(80.0, c.Users.Single().CpuPct, 6);
        Assert.Equal(80.0, c.Processes.Single().ChildrenCpuPct, 6);
    }

    [Fact]
    public void StreamOfChildrenNeverSeen_IsCountedInFull()
    {
        // Every interval the parent reaps children that lived and died between samples: 100 ticks (1 s) each interval.
        var t = new CpuDeltaTracker();
        Feed(t, 0, P(20, 1, 50, cutime: 0));
        var a = Feed(t, 5, P(20, 1, 55, cutime: 100))!;
        var b = Feed(t, 10, P(20, 1, 60, cutime: 200))!;
        Assert.Equal(1.0, a.Processes.Single().CpuPct, 6);       // 5 ticks / 5 s
        Assert.Equal(20.0, a.Processes.Single().ChildrenCpuPct, 6); // 1 s / 5 s
        Assert.Equal(21.0, b.Users.Single().CpuPct, 6);
    }

    [Fact]
    public void ChildStartedInsideTheInterval_IsCountedFromItsStart()
    {
        // Child 31 starts at uptime base + 7 s (start ticks after the previous sample at base + 5 s) and has used 150 ticks by t=10.
        var t = new CpuDeltaTracker();
        Feed(t, 0, P(30, 1, 0));
        Feed(t, 5, P(30, 1, 0));
        var startTicks = (long)((Procsample.UptimeBase + 7) * Tck);
        var s = Feed(t, 10, P(30, 1, 0), P(31, 30, 150, start: startTicks))!;
        var child = s.Processes.Single(p => p.Pid == 31);
        Assert.True(child.HasBaseline);
        Assert.Equal(30.0, child.CpuPct, 6); // 1.5 s over 5 s
        // When it ends, only what it used after t=10 is credited to the parent: reaped with 250 ticks in total.
        var e = Feed(t, 15, P(30, 1, 0, cutime: 250))!;
        Assert.Equal(20.0, e.Users.Single().CpuPct, 6);
    }

    [Fact]
    public void ProcessSeenLateWithoutBaseline_HasNoCpu_AndNeverNegative()
    {
        var t = new CpuDeltaTracker();
        Feed(t, 0, P(40, 1, 1000));
        var s = Feed(t, 5, P(40, 1, 900), P(41, 1, 5000))!; // counter went back (impossible) and an old process appears
        Assert.Equal(0.0, s.Processes.Single(p => p.Pid == 40).CpuPct);
        Assert.False(s.Processes.Single(p => p.Pid == 41).HasBaseline);
        Assert.Equal(0.0, s.Processes.Single(p => p.Pid == 41).CpuPct);
    }

    [Fact]
    public void CpuIsClampedToTheCoreCount()
    {
        var t = new CpuDeltaTracker();
        Feed(t, 0, P(50, 1, 0));
        var s = Feed(t, 5, P(50, 1, 5000))!; // 50 s in 5 s on 4 cores: impossible, clamp at 400 %
        Assert.Equal(400.0, s.Processes.Single().CpuPct);
    }

    [Fact]
    public void OwnCpuIsClampedToTheMachine_ChildrensCreditIsNot()
    {
        // 2 cores, 5 s: the parent's ticks say 10.5 s of its own (210 %, jitter) → 200 %; its cutime grew by 1.5 s of
        // children reaped in the interval, never seen → 30 % credit, kept: the process shows 230 %, its user too.
        var t = new CpuDeltaTracker();
        t.Update(Procsample.Snapshot(0, [P(70, 1, 0)], ncpu: 2));
        var s = t.Update(Procsample.Snapshot(5, [P(70, 1, 1050, cutime: 150)], ncpu: 2))!;
        var p = s.Processes.Single();
        Assert.Equal((200.0, 30.0, 230.0), (p.CpuPct, Math.Round(p.ChildrenCpuPct, 9), Math.Round(p.TotalCpuPct, 9)));
        Assert.Equal(230.0, s.Users.Single().CpuPct, 9);
    }

    [Fact]
    public void RebootOrStalledClock_GivesNoSample()
    {
        var t = new CpuDeltaTracker();
        t.Update(Procsample.Snapshot(0, [P(60, 1, 0)], 4));
        Assert.Null(t.Update(Procsample.Snapshot(5, [P(60, 1, 100)], 4, boot: "boot-2")));
        Assert.Null(t.Update(Procsample.Snapshot(5, [P(60, 1, 200)], 4, boot: "boot-2")));
        Assert.NotNull(t.Update(Procsample.Snapshot(10, [P(60, 1, 300)], 4, boot: "boot-2")));
    }

    [Fact]
    public void TopIdentity_UserOrCommandChange_IsANewProcess_AndReportedCpuWins()
    {
        var t = new CpuDeltaTracker();
        RawProcess Top(string user, string comm, double time, double pct) => new(70, -1, 0, -1, user, comm, 'R', time, 0, 1 << 20, pct);
        t.Update(Procsample.Snapshot(0, [Top("alice", "sim", 10, 50)], 4));
        var same = t.Update(Procsample.Snapshot(5, [Top("alice", "sim", 12.5, 50)], 4))!;
        Assert.Equal(50.0, same.Processes.Single().CpuPct);
        var t2 = new CpuDeltaTracker();
        t2.Update(Procsample.Snapshot(0, [Top("alice", "sim", 10, 50)], 4));
        t2.Update(Procsample.Snapshot(5, [Top("bob", "gzip", 1, 20)], 4));
        Assert.Equal(1, t2.PidReuses);
    }

    // Orphans: a parent and its busy child end in the same interval. Whoever reaps the child — its parent before
    // dying, or init/a subreaper after it was orphaned — gains the child's whole life in cutime; the part seen in
    // earlier samples was counted then, so only the rest may be credited, to the reaper's user.
    private static RawProcess U(int pid, int ppid, long utime, long cutime, string user) => P(pid, ppid, utime, cutime, user: user, comm: user + "-" + pid);

    [Fact]
    public void OrphanReapedByInit_CreditsOnlyItsUnseenRest()
    {
        // init 1 (root) > sshd 5 (root) > shell 10 (alice) > job 11 (alice, 1 core). At t=10 both 10 and 11 are gone:
        // 10 died, 11 was reparented to init and died with 800 ticks; init's cutime grows by 800, sshd's by 10's 0.
        var t = new CpuDeltaTracker();
        Feed(t, 0, U(1, 0, 0, 0, "root"), U(5, 1, 0, 0, "root"), U(10, 5, 0, 0, "alice"), U(11, 10, 0, 0, "alice"));
        var a = Feed(t, 5, U(1, 0, 0, 0, "root"), U(5, 1, 0, 0, "root"), U(10, 5, 0, 0, "alice"), U(11, 10, 500, 0, "alice"))!;
        var b = Feed(t, 10, U(1, 0, 0, 800, "root"), U(5, 1, 0, 0, "root"))!;
        Assert.Equal(100.0, a.Users.Single(u => u.User == "alice").CpuPct, 6);
        // 800 − 500 seen = 300 ticks = 3 s over 5 s (was 160 %: the child's whole life credited again).
        Assert.Equal(60.0, b.Users.Single(u => u.User == "root").CpuPct, 6);
        Assert.Equal(60.0, b.Processes.Single(p => p.Pid == 1).ChildrenCpuPct, 6);
    }

    [Fact]
    public void ChildReapedByItsParentJustBeforeTheParentDies_CreditsTheGrandparentOnlyTheRest()
    {
        // bob's 5 > alice's 10 > 11 (1 core). 10 reaps 11 (800 ticks in all), then dies and is reaped by 5: 5's cutime
        // grows by 10's own 0 + 10's cutime 800. 500 of those were seen as 11's own: 300 ticks are new.
        var t = new CpuDeltaTracker();
        Feed(t, 0, U(5, 1, 0, 0, "bob"), U(10, 5, 0, 0, "alice"), U(11, 10, 0, 0, "alice"));
        Feed(t, 5, U(5, 1, 0, 0, "bob"), U(10, 5, 0, 0, "alice"), U(11, 10, 500, 0, "alice"));
        var b = Feed(t, 10, U(5, 1, 0, 800, "bob"))!;
        Assert.Equal(60.0, b.Users.Single().CpuPct, 6);
    }

    [Fact]
    public void OrphanWithChildrenNeverSeen_ReaperGetsTheOrphansRestAndTheUnseenInFull()
    {
        // As the first case, and init also reaped 200 ticks of children that lived between samples: (300 + 200) / 5 s.
        var t = new CpuDeltaTracker();
        Feed(t, 0, U(1, 0, 0, 0, "root"), U(10, 1, 0, 0, "alice"), U(11, 10, 0, 0, "alice"), U(12, 11, 0, 0, "alice"));
        Feed(t, 5, U(1, 0, 0, 0, "root"), U(10, 1, 0, 0, "alice"), U(11, 10, 0, 0, "alice"), U(12, 11, 500, 0, "alice"));
        // 10 and 11 end (0 ticks each, reaped: 11 by init after orphaning, 10 by init its parent); 12 orphaned and
        // reaped by init with 800 ticks.
        var b = Feed(t, 10, U(1, 0, 0, 1000, "root"))!;
        Assert.Equal(100.0, b.Users.Single().CpuPct, 6);
    }

    [Fact]
    public void OrphanWhoseReaperIsNotVisible_ChangesNoOne()
    {
        // The reaper is outside the snapshot (another PID namespace's init): nobody's cutime grows, nothing negative.
        var t = new CpuDeltaTracker();
        Feed(t, 0, U(5, 2, 0, 0, "bob"), U(10, 5, 0, 0, "alice"), U(11, 10, 0, 0, "alice"));
        Feed(t, 5, U(5, 2, 100, 0, "bob"), U(10, 5, 0, 0, "alice"), U(11, 10, 500, 0, "alice"));
        var b = Feed(t, 10, U(5, 2, 200, 0, "bob"))!;
        Assert.Equal(20.0, b.Users.Single().CpuPct, 6);
        Assert.Equal(0.0, b.Processes.Single().ChildrenCpuPct, 6);
    }

    [Fact]
    public void ChildGoneButReapedAfterTheParentWasRead_IsSubtractedWhenCutimeCatchesUp()
    {
        // The reader read parent 10 (cutime 0), then child 11 was reaped before the reader got to it: at t=10 the child
        // is gone but the parent's cutime shows it only at t=15 (800 ticks in all, 500 seen): 300 ticks are new.
        var t = new CpuDeltaTracker();
        Feed(t, 0, P(10, 1, 0), P(11, 10, 0));
        Feed(t, 5, P(10, 1, 0), P(11, 10, 500));
        var a = Feed(t, 10, P(10, 1, 0))!;
        var b = Feed(t, 15, P(10, 1, 0, cutime: 800))!;
        Assert.Equal(0.0, a.Users.Single().CpuPct, 6);
        Assert.Equal(60.0, b.Users.Single().CpuPct, 6);
    }

    [Fact]
    public void ChildNeverFoundInCutime_StopsHoldingBackTheParentAfterTwoIntervals()
    {
        // Child 11 (500 ticks seen) was reaped by nobody visible; later the parent reaps unseen children of 100 ticks
        // per interval. The 500 are held against the next two intervals only, then the parent's credit is whole again.
        var t = new CpuDeltaTracker();
        Feed(t, 0, P(10, 1, 0), P(11, 10, 0));
        Feed(t, 5, P(10, 1, 0), P(11, 10, 500));
        Feed(t, 10, P(10, 1, 0));
        var b = Feed(t, 15, P(10, 1, 0, cutime: 100))!;
        var c = Feed(t, 20, P(10, 1, 0, cutime: 200))!;
        var d = Feed(t, 25, P(10, 1, 0, cutime: 300))!;
        Assert.Equal(0.0, b.Users.Single().CpuPct, 6);
        Assert.Equal(0.0, c.Users.Single().CpuPct, 6);
        Assert.Equal(20.0, d.Users.Single().CpuPct, 6); // 100 ticks / 5 s
    }

    [Fact]
    public void ChildReapedAfterItsParentWasRead_ThenTheParentEnds_TheGrandparentIsNotCreditedTwice()
    {
        // bash 5 > wrapper 10 > job 11. At t=10 the wrapper was read (cutime 0) just before it reaped the job (800
        // ticks, 500 seen), which was gone when the reader reached it. At t=15 the wrapper has ended too: bash's cutime
        // grew by the wrapper's whole life, 800 ticks, of which 500 were counted as the job's own: 60 %, not 160 %.
        var t = new CpuDeltaTracker();
        Feed(t, 0, U(5, 1, 0, 0, "bob"), U(10, 5, 0, 0, "bob"), U(11, 10, 0, 0, "bob"));
        Feed(t, 5, U(5, 1, 0, 0, "bob"), U(10, 5, 0, 0, "bob"), U(11, 10, 500, 0, "bob"));
        Feed(t, 10, U(5, 1, 0, 0, "bob"), U(10, 5, 0, 0, "bob"));
        var b = Feed(t, 15, U(5, 1, 0, 800, "bob"))!;
        Assert.Equal(60.0, b.Users.Single().CpuPct, 6);
    }
}
