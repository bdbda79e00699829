using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

/// <summary>Parser edge cases beyond the shared corpus; expected values are the hand conversion of the lines shown.</summary>
public class TopParserTests
{
    private const string Procps32 = """
        top - 10:00:01 up 3 days,  2:01,  2 users,  load average: 0.50, 0.40, 0.30
        Tasks:   2 total,   1 running,   1 sleeping,   0 stopped,   0 zombie
        Cpu(s): 25.0%us,  5.0%sy,  0.0%ni, 70.0%id,  0.0%wa,  0.0%hi,  0.0%si,  0.0%st
        Mem:   2048000k total,  1024000k used,  1024000k free,    10240k buffers
        Swap:  1000000k total,        0k used,  1000000k free,   512000k cached

          PID USER      PR  NI  VIRT  RES  SHR S %CPU %MEM    TIME+  COMMAND
          101 alice     20   0  100m  50m 1000 R 50.0  2.5  10:00.50 worker
          102 bob       20   0 2048m 1.5g  10m S  0.0 76.8   0:00.01 idle job
        """;

    [Fact]
    public void Parse_Procps32_ReadsLegacySummaryAndSuffixes()
    {
        var r = TopParser.ParseText(Procps32);
        Assert.True(r.Ok, string.Join("; ", r.Errors));
        var f = Assert.Single(r.Frames);
        Assert.Equal("procps-3.2", f.Summary.Layout);
        Assert.Equal(25.0, f.Summary.CpuUs);
        Assert.Equal(70.0, f.Summary.CpuId);
        Assert.Equal(2048000, f.Summary.MemTotalKib);
        Assert.Equal(1024000, f.Summary.MemUsedKib);
        // avail = free + buffers + cached for layouts without "avail Mem"
        Assert.Equal(1024000 + 10240 + 512000, f.Summary.MemAvailKib);
        Assert.Equal(102400, f.Rows[0].VirtKib);
        Assert.Equal(1572864, f.Rows[1].ResKib);
        Assert.Equal(600.50, f.Rows[0].TimeSeconds!.Value, 6);
        Assert.Equal("idle job", f.Rows[1].Command);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Parse_ThreadsModeAndGiB_Warns()
    {
        var text = """
            top - 14:12:20 up 19 min,  0 user,  load average: 2.88, 1.41, 0.67
            Threads: 1 total,   1 running,   0 sleeping,   0 stopped,   0 zombie
            %Cpu(s): 66.7 us, 33.3 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st 
            GiB Mem :     23.5 total,     22.2 free,      0.7 used,      0.9 buff/cache     
            GiB Swap:      0.0 total,      0.0 free,      0.0 used.     22.8 avail Mem 

              PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
            10126 root      20   0  261.5g 168.7m 119.2m S  83.3   0.7   0:03.55 csc
            """;
        var r = TopParser.ParseText(text);
        var f = Assert.Single(r.Frames);
        Assert.True(f.Summary.ThreadsMode);
        Assert.Equal(24641536, f.Summary.MemTotalKib); // 23.5 × 1024²
        Assert.Equal(172749, f.Rows[0].ResKib);         // 168.7 × 1024 = 172748.8
        Assert.Contains(r.Warnings, w => w.Code == TopCodes.ThreadsMode);
        Assert.Contains(r.Warnings, w => w.Code == TopCodes.LowPrecisionUnit);
    }

    [Fact]
    public void Parse_ExtraColumnsAfterCommand_TakesThemFromTheEnd()
    {
        var text = """
              PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND          nTH  P
             4242 carol     20   0    7688   3256   2980 S  12.5   0.0   0:00.07 my worker          3  1
            """;
        var r = TopParser.ParseText(text);
        var row = Assert.Single(Assert.Single(r.Frames).Rows);
        Assert.Equal("my worker", row.Command);
        Assert.Equal(12.5, row.CpuPct);
        Assert.Contains(r.Warnings, w => w.Code == TopCodes.NondefaultLayout);
    }

    [Fact]
    public void Parse_GarbledRow_ErrorNamesTheLineAndSkipsOnlyThatFrame()
    {
        var good = CaseFiles.Input("C01");
        var garbled = good.Replace("2201.2g", "22x1.2g", StringComparison.Ordinal);
        var r = TopParser.ParseText(garbled + "\n\n" + good);
        var e = Assert.Single(r.Errors);
        Assert.Equal(TopCodes.BadRow, e.Code);
        Assert.Equal(9, e.Line); // the 9th line of the capture is the row of pid 10745
        var f = Assert.Single(r.Frames);
        Assert.Equal(1, f.Index);
        Assert.Equal(4, f.Rows.Count);
    }

    [Fact]
    public void Parse_TruncatedCapture_ReportsLine()
    {
        var lines = CaseFiles.Input("C01").Split('\n');
        var cut = string.Join('\n', lines.Take(8)) + "\n10745 alice     20   0 2201";
        var r = TopParser.ParseText(cut);
        Assert.False(r.Ok);
        Assert.Equal(9, r.Errors[0].Line);
        var headerless = TopParser.ParseText(string.Join('\n', lines.Take(4)));
        Assert.Equal(TopCodes.NoHeader, headerless.Errors[0].Code);
        Assert.Equal(4, headerless.Errors[0].Line);
    }

    [Fact]
    public void Parse_NotTop_NoTopOutputAtFirstLine()
    {
        var r = TopParser.ParseText("\nTotal DISK READ: 0.00 B/s\nsomething else\n");
        Assert.Empty(r.Frames);
        Assert.Equal(TopCodes.NoTopOutput, r.Errors[0].Code);
        Assert.Equal(2, r.Errors[0].Line);
    }

    [Fact]
    public void Parse_CommandEndingWithPlusOnShortLine_IsNotTruncated()
    {
        var text = """
              PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
             5000 dave      20   0   10000   5000   1000 R  99.0   0.0   0:10.00 g++
            """;
        var row = Assert.Single(Assert.Single(TopParser.ParseText(text).Frames).Rows);
        Assert.Equal("g++", row.Command);
        Assert.False(row.CommandTruncated);
    }
}
