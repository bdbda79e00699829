using System.Text;
using ClusterWatch.Core.Sources.Ssh;

namespace ClusterWatch.Tests.Sources.Ssh;

public sealed class TopStreamTests
{
    private const string Frame1 = "top - 10:00:00 up 1 day,  1 user,  load average: 0.00, 0.00, 0.00\nTasks:   2 total,   1 running,   1 sleeping,   0 stopped,   0 zombie\n%Cpu(s):  1.0 us\n\n    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n      1 root      20   0    1000    100     50 S   0.0   0.0   0:01.00 init\n      2 alice     20   0    1000    100     50 R  99.0   0.0   1:00.00 busy";

    [Fact]
    public void Add_LastRowWithoutItsNewline_FrameCompleteAtOnce()
    {
        // top writes a frame's last newline only when the next frame starts: the frame must not wait for it.
        var s = new TopStream();
        Assert.Empty(s.Add(Encoding.UTF8.GetBytes(Frame1[..100])));
        var frames = s.Add(Encoding.UTF8.GetBytes(Frame1[100..]));
        Assert.Equal([Frame1], frames);
    }

    [Fact]
    public void Add_NextHeader_ClosesTheFrameAndKeepsTheRest()
    {
        var s = new TopStream();
        var frames = s.Add(Encoding.UTF8.GetBytes(Frame1 + "\n" + Frame1[..50]));
        Assert.Single(frames);
        Assert.StartsWith("top - ", frames[0], StringComparison.Ordinal);
        Assert.Empty(s.Add(Encoding.UTF8.GetBytes("")));
    }

    [Fact]
    public void Add_Garbage_NoFrame_PreambleKept_C21()
    {
        var s = new TopStream();
        Assert.Empty(s.Add(Encoding.UTF8.GetBytes("top: failed tty get\n")));
        Assert.False(s.SawHeader);
        Assert.Equal("top: failed tty get\n", s.Preamble);
    }
}
