using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

public class TopCpuScaleTests
{
    [Fact]
    public void C11_CoresFromIrixAndSolarisNodes()
    {
        var expected = CaseFiles.Expected("C11").GetProperty("nodes");
        foreach (var (note, text) in CaseFiles.Blocks("C11"))
        {
            var node = note.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(':');
            var e = expected.GetProperty(node);
            var ncpu = e.GetProperty("ncpu").GetInt32();
            var frame = TopParser.ParseText(text).Frames[0];
            var detected = TopCpuScales.Detect(frame, ncpu);
            // node01 shows 200.0: only Irix mode can. node02's single 66.0 proves nothing: its mode comes from config.
            var scale = e.GetProperty("irix_mode").GetBoolean() ? TopCpuScale.Irix : TopCpuScale.Solaris;
            Assert.Equal(node == "node01" ? TopCpuScale.Irix : null, detected);
            var rows = e.GetProperty("processes").EnumerateArray().ToList();
            for (var i = 0; i < rows.Count; i++)
            {
                var pctOfCore = TopCpuScales.ToPctOfOneCore(frame.Rows[i].CpuPct!.Value, scale, ncpu);
                Assert.Equal(rows[i].GetProperty("cpu_cores").GetDouble(), pctOfCore / 100, 9);
                Assert.Equal(rows[i].GetProperty("cpu_pct_of_node").GetDouble(), pctOfCore / ncpu, 9);
            }
        }
    }

    [Fact]
    public void Detect_SolarisFromTimeGrowth()
    {
        // TIME+ grew by 1.32 s in 1 s (1.32 cores) while %CPU shows 66.0: 66 × 2 CPUs = 132 → Solaris mode.
        var before = Frame("0:10.00", "66.0");
        var after = Frame("0:11.32", "66.0");
        Assert.Equal(TopCpuScale.Solaris, TopCpuScales.Detect(after, 2, before, 1.0));
        Assert.Equal(TopCpuScale.Irix, TopCpuScales.Detect(Frame("0:10.66", "66.0"), 2, before, 1.0));
        // 0.94 s in 1 s against 66.0 shown: 0.70 of Irix, 1.40 of Solaris — neither within 25 %: no vote.
        Assert.Null(TopCpuScales.Detect(Frame("0:10.94", "66.0"), 2, before, 1.0));
    }

    [Fact]
    public void Detect_LowRowSumAloneIsNotSolaris()
    {
        // Short-lived processes make rows sum below the busy line; that must not flip the node to Solaris mode.
        var text = """
            top - 12:00:00 up 1 min,  0 user,  load average: 1.00, 1.00, 1.00
            Tasks:   1 total,   1 running,   0 sleeping,   0 stopped,   0 zombie
            %Cpu(s): 90.0 us, 10.0 sy,  0.0 ni,  0.0 id,  0.0 wa,  0.0 hi,  0.0 si,  0.0 st 
            MiB Mem :   1000.0 total,    500.0 free,    400.0 used,    100.0 buff/cache     
            MiB Swap:      0.0 total,      0.0 free,      0.0 used.    550.0 avail Mem 

              PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
                1 alice     20   0    1000   1000   1000 R  80.0   0.1   1:00.00 make
            """;
        Assert.Null(TopCpuScales.Detect(TopParser.ParseText(text).Frames[0], 2));
    }

    private static TopFrame Frame(string time, string pct) => TopParser.ParseText($"""
          PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
         8686 bob       20   0   18868   1356   1244 S  {pct}   0.0   {time} spin
        """).Frames[0];
}
