using System.Text;
using ClusterWatch.Core.Sources.Proc;

namespace ClusterWatch.Tests.Sources.Proc;

public class ProcParsersTests
{
    [Fact]
    public void TryParseStat_CommWithParensAndSpaces_UsesTheLastParen()
    {
        // A process may call itself "a) b (c"; the kernel does not escape it. Fields counted by hand from proc(5).
        var line = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 89 10 20 0 1 0 987654 10000000 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"u8;
        Assert.True(ProcParsers.TryParseStat(line, out var s, out var comm));
        Assert.Equal("a) b (c", Encoding.UTF8.GetString(comm));
        Assert.Equal(4242, s.Pid);
        Assert.Equal(1, s.ParentPid);
        Assert.Equal('S', s.State);
        Assert.Equal(1234, s.UTime);
        Assert.Equal(567, s.STime);
        Assert.Equal(89, s.CUTime);
        Assert.Equal(10, s.CSTime);
        Assert.Equal(987654, s.StartTicks);
        Assert.Equal(2560, s.RssPages);
    }

    [Fact]
    public void TryParseStat_Truncated_Fails()
    {
        Assert.False(ProcParsers.TryParseStat("12 (x) S 1 2 3"u8, out _, out _));
        Assert.False(ProcParsers.TryParseStat("garbage"u8, out _, out _));
    }

    [Fact]
    public void ParseStatusRealUid_TakesTheFirstField()
    {
        var status = "Name:\tsudo\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1001\t0\t0\t0\nGid:\t100\t100\t100\t100\n"u8;
        Assert.Equal(1001, ProcParsers.ParseStatusRealUid(status));
        Assert.Equal(-1, ProcParsers.ParseStatusRealUid("Name:\tx\n"u8));
    }

    [Fact]
    public void TryParseCpuLine_BusyExcludesIdleAndIowait_AndGuestIsNotCountedTwice()
    {
        var stat = "cpu  100 5 50 1000 20 3 2 1 40 0\ncpu0 50 2 25 500 10 1 1 0 20 0\ncpu1 50 3 25 500 10 2 1 1 20 0\nintr 1 2 3\n"u8;
        Assert.True(ProcParsers.TryParseCpuLine(stat, out var cpu));
        // total = 100+5+50+1000+20+3+2+1 = 1181 (guest 40 is inside user); busy = 1181 − 1000 − 20 = 161.
        Assert.Equal(1181, cpu.Total);
        Assert.Equal(161, cpu.Busy);
        Assert.Equal(2, ProcParsers.CountCpus(stat));
    }

    [Fact]
    public void TryParseMemInfo_ReadsTotalAndAvailable_OrEstimatesOnOldKernels()
    {
        Assert.True(ProcParsers.TryParseMemInfo("MemTotal:       16384000 kB\nMemFree:         1000 kB\nMemAvailable:    8192000 kB\n"u8, out var total, out var avail));
        Assert.Equal(16384000L * 1024, total);
        Assert.Equal(8192000L * 1024, avail);
        Assert.True(ProcParsers.TryParseMemInfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 200 kB\n"u8, out _, out var old));
        Assert.Equal(350L * 1024, old);
    }

    [Fact]
    public void TryParseUptime_FirstField()
    {
        Assert.True(ProcParsers.TryParseUptime("746.60 1414.25\n"u8, out var up));
        Assert.Equal(746.60, up, 6);
        Assert.False(ProcParsers.TryParseUptime("x y"u8, out _));
    }

    [Fact]
    public void DecodeName_InvalidUtf8_IsReplacedNotAnError()
    {
        Assert.Equal("a\uFFFDb", ProcParsers.DecodeName([(byte)'a', 0xFF, (byte)'b']));
    }

    [Fact]
    public void PasswdParser_MapsUidToName_AndSkipsJunk()
    {
        var map = PasswdParser.Parse("root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001::/home/alice:/bin/sh\nbroken\n:x:5:5\n");
        Assert.Equal("root", map[0]);
        Assert.Equal("alice", map[1001]);
        Assert.Equal(2, map.Count);
    }
}
