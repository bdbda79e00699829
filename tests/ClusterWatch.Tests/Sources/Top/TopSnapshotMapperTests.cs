using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sampling;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

/// <summary>The aggregate checks of the corpus: a capture as two frames through the mapper and the CPU-delta tracker.</summary>
public class TopSnapshotMapperTests
{
    private static NodeSample Sample(string id)
    {
        var text = CaseFiles.Input(id);
        var frames = TopParser.ParseText(text + "\n\n" + text).Frames;
        var tracker = new CpuDeltaTracker();
        var t = new DateTimeOffset(2026, 12, 3, 12, 31, 10, TimeSpan.Zero);
        Assert.Null(tracker.Update(TopSnapshotMapper.ToSnapshot(frames[0], new TopFrameContext("n", "r", t, 100, 8, TopCpuScale.Irix))));
        return tracker.Update(TopSnapshotMapper.ToSnapshot(frames[1], new TopFrameContext("n", "r", t.AddSeconds(1), 101, 8, TopCpuScale.Irix)))!;
    }

    [Fact]
    public void C04_NumericUsersStayDistinctUsersWithTheirUid()
    {
        // expected.json aggregate_check: one per-user key per displayed user. The case writes them "uid:54321";
        // ClusterWatch keeps a uid without a name as its number, as the proc source does (PRODUCT.md), with the uid set.
        var users = Sample("C04").Users.ToDictionary(u => u.User);
        Assert.Equal(["54321", "999", "alice"], users.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(54321, users["54321"].Uid);
        Assert.Equal(999, users["999"].Uid);
        Assert.Equal(-1, users["alice"].Uid);
        Assert.Equal(12.5, users["999"].CpuPct, 6);
    }

    [Fact]
    public void C09_CutCommandsKeepProcessesApart()
    {
        var processes = Sample("C09").Processes;
        var keys = processes.Where(p => p.Pid is 5101 or 5102).Select(p => p.ItemKey).ToList();
        Assert.Equal(2, keys.Distinct().Count());
        Assert.Equal(398.0, processes.Single(p => p.Pid == 5101).CpuPct, 6);
        Assert.Equal("python3 t", processes.Single(p => p.Pid == 5101).Command);
    }

    [Fact]
    public void C14_BusyboxPercentOfNodeBecomesPercentOfOneCore()
    {
        var frames = TopParser.ParseText(CaseFiles.Input("C14")).Frames;
        var snap = TopSnapshotMapper.ToSnapshot(frames[0], new TopFrameContext("n", "r", DateTimeOffset.UnixEpoch, 1, 4, TopCpuScale.Irix));
        // 50 % of a 4-CPU node = 200 % of one core; no RES column: RSS unknown, sample partial.
        Assert.Equal(200.0, snap.ProcessSpan[0].ReportedCpuPct);
        Assert.Equal("spin", snap.ProcessSpan[0].Command);
        Assert.Equal("my worker", snap.ProcessSpan[4].Command); // {comm}, never the command line
        Assert.True(snap.Flags.HasFlag(SampleFlags.Partial));
        Assert.Equal((1366276L + 23317388L) * 1024, snap.MemTotalBytes);
    }
}
