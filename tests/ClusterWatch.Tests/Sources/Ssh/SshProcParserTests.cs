using System.Text;
using ClusterWatch.Core.Sources.Ssh;

namespace ClusterWatch.Tests.Sources.Ssh;

public sealed class SshProcParserTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ParseHeader_CountsCpuLinesAndReadsSettings()
    {
        var body = B("H 100 4096 1 1001 3f1c2a6e-0000-4000-8000-000000000001\ncpu  10 0 5 100 0 0 0 0 0 0\ncpu0 5 0 2 50 0 0 0 0 0 0\ncpu1 5 0 3 50 0 0 0 0 0 0\n");
        var h = SshProcParser.ParseHeader(body);
        Assert.Equal(new ProcHeader(100, 4096, true, 1001, "3f1c2a6e-0000-4000-8000-000000000001", 2), h);
    }

    [Fact]
    public void Body_SkipsALateAnswerToATimedOutRequest()
    {
        var block = B("S 6\n12.5 3.0\nhalf of an old answer\nE 6\nS 7\nBODY\n");
        Assert.Equal("BODY\n", Encoding.UTF8.GetString(SshProcParser.Body(block, 7)));
    }

    [Fact]
    public void TryParseSnapshot_ReadsTotalsAndStats_JoinsACommWithANewline()
    {
        var text = "1234.56 2000.00\n" +
                   "cpu  300 0 100 1000 50 0 0 0 0 0\n" +
                   "MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\n" +
                   "1 (init) S 0 1 1 0 -1 0 0 0 0 0 11 22 3 4 20 0 1 0 5 100 7 0\n" +
                   "42 (evil\nname) R 1 42 42 0 -1 0 0 0 0 0 150 50 0 0 20 0 1 0 900 100 30 0\n" +
                   "garbage line\n";
        var list = new List<RemoteStat>();
        Assert.True(SshProcParser.TryParseSnapshot(B(text), out var totals, list, out var unreadable));
        Assert.Equal(1234.56, totals.UptimeSeconds, 3);
        Assert.Equal(400, totals.Cpu.Busy); // 300 + 100 (idle 1000 and iowait 50 excluded)
        Assert.Equal(1450, totals.Cpu.Total);
        Assert.Equal(1000 * 1024, totals.MemTotalBytes);
        Assert.Equal(600 * 1024, totals.MemAvailableBytes);
        Assert.Equal(2, list.Count);
        Assert.Equal("evil\nname", list[1].Comm);
        Assert.Equal(150, list[1].Stat.UTime);
        Assert.Equal(900, list[1].Stat.StartTicks);
        Assert.Equal(30, list[1].Stat.RssPages);
        Assert.Equal(1, unreadable);
    }

    [Fact]
    public void ParseUids_SeveralFilesWithHeaders_OrOneFileWithout()
    {
        var uids = new Dictionary<int, int>();
        SshProcParser.ParseUids(B("==> /proc/7/status <==\nName:\tx\nUid:\t1001\t1001\t1001\t1001\n\n==> /proc/9/status <==\nUid:\t0\t0\t0\t0\n"), -1, uids);
        Assert.Equal(new Dictionary<int, int> { [7] = 1001, [9] = 0 }, uids);
        uids.Clear();
        SshProcParser.ParseUids(B("Name:\tbash\nUid:\t1002\t0\t0\t0\n"), 55, uids);
        Assert.Equal(new Dictionary<int, int> { [55] = 1002 }, uids); // the real uid, not the effective one
    }

    [Fact]
    public void Scripts_NeverUseSudoOrSleep_C23()
    {
        Assert.DoesNotContain("sudo", ProcScript.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("sleep", ProcScript.Text, StringComparison.Ordinal);
        var top = new ClusterWatch.Core.Sources.Top.TopCommand(5).RemoteScript();
        Assert.DoesNotContain("sudo", top, StringComparison.Ordinal);
        Assert.Contains("top -b -d 5 -w 512", top, StringComparison.Ordinal);
    }
}
