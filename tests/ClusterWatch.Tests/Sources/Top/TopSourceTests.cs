using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sampling;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

public class TopSourceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 30, 40, TimeSpan.Zero);

    private static string[] C08Frames()
    {
        var lines = CaseFiles.Input("C08").Split('\n');
        return [string.Join('\n', lines.Take(10)), string.Join('\n', lines.Skip(10))];
    }

    [Fact]
    public async Task Take_C08_FirstFrameBaselineThenTopsPercentWithoutWaitingForTheNextFrame()
    {
        var frames = C08Frames();
        var transport = new FakeTopTransport(cpus: 2);
        await using var source = new TopSource("node01", transport, sampleSeconds: 10);
        var tracker = new CpuDeltaTracker();
        var first = source.TakeAsync(T0, CancellationToken.None);
        await WaitStartedAsync(transport);
        // As top writes: every line but the frame's last newline, which comes only with the next frame.
        await transport.Started[0].WriteAsync(frames[0]);
        var s0 = await first;
        Assert.True(s0.Flags.HasFlag(SampleFlags.NoCpu));
        Assert.Null(tracker.Update(s0));
        var second = source.TakeAsync(T0.AddSeconds(1), CancellationToken.None);
        await transport.Started[0].WriteAsync("\n" + frames[1]);
        var s1 = await second;
        var sample = tracker.Update(s1)!;
        // expected.json "sample": per_user_cpu_pct bob 119.0, alice 41.6, carol 0.0
        Assert.Equal(119.0, sample.Users.Single(u => u.User == "bob").CpuPct, 6);
        Assert.Equal(41.6, sample.Users.Single(u => u.User == "alice").CpuPct, 6);
        Assert.Equal(0.0, sample.Users.Single(u => u.User == "carol").CpuPct, 6);
        // %Cpu(s) 94.4 us + 4.7 sy + 0.9 st = 100 − 0.0 id → 200 % of one core on 2 CPUs
        Assert.Equal(200.0, sample.CpuBusyPct, 6);
        Assert.Equal(24683622L * 1024, s1.MemTotalBytes);
        Assert.All(s1.ProcessSpan.ToArray(), p => Assert.Equal((0L, -1), (p.StartTicks, p.Uid)));
        Assert.Equal(5.45, s1.ProcessSpan[0].CpuSeconds, 6);
    }

    [Fact]
    public async Task Take_C21_TopFailsWithoutOutput_NodeMarkedWithStderrNeverZero()
    {
        var transport = new FakeTopTransport { OnStart = p => { p.Exit(1, "top: failed tty get"); return Task.CompletedTask; } };
        await using var source = new TopSource("node01", transport, sampleSeconds: 10);
        var e = await Assert.ThrowsAsync<NodeSourceException>(() => source.TakeAsync(T0, CancellationToken.None));
        Assert.Equal(NodeState.ToolMissing, e.State);
        Assert.Contains("top: failed tty get", e.Message, StringComparison.Ordinal);
        Assert.Contains("status 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Take_WRefused_StartsAgainWithColumns()
    {
        await using var source = new TopSource("node01", new RefusingWTransport(), sampleSeconds: 10);
        var snap = await source.TakeAsync(T0, CancellationToken.None);
        Assert.Equal(3, snap.ProcessCount);
    }

    [Fact]
    public async Task Take_GarbledFrame_ThrowsWithLineThenRecovers()
    {
        var frames = C08Frames();
        var transport = new FakeTopTransport();
        await using var source = new TopSource("node01", transport, sampleSeconds: 10);
        var first = source.TakeAsync(T0, CancellationToken.None);
        await WaitStartedAsync(transport);
        await transport.Started[0].WriteAsync(frames[0] + "\n");
        await first;
        var bad = frames[1].Replace("119.0", "11x.0", StringComparison.Ordinal);
        var second = source.TakeAsync(T0.AddSeconds(1), CancellationToken.None);
        await transport.Started[0].WriteAsync(bad + "\n");
        var e = await Assert.ThrowsAsync<NodeSourceException>(() => second);
        Assert.Equal(NodeState.Partial, e.State);
        Assert.Contains("line 18", e.Message, StringComparison.Ordinal); // the row of pid 8686 in the second frame
        var third = source.TakeAsync(T0.AddSeconds(2), CancellationToken.None);
        await transport.Started[0].WriteAsync(frames[1] + "\n");
        Assert.Equal(3, (await third).ProcessCount);
    }

    [Fact]
    public void Command_PinnedEnvironmentBatchModeAndWidth()
    {
        var c = new TopCommand(5);
        Assert.Equal(["-b", "-d", "5", "-w", "512"], c.Arguments);
        Assert.Equal("C.UTF-8", c.Environment["LC_ALL"]);
        Assert.Contains("XDG_CONFIG_HOME", TopCommand.Unset);
        var script = c.RemoteScript();
        Assert.Contains("mktemp -d", script, StringComparison.Ordinal);
        Assert.DoesNotContain("HOME=/tmp", script, StringComparison.Ordinal);
        Assert.Equal("512", new TopCommand(5, TopWidthMode.ColumnsVariable).Environment["COLUMNS"]);
    }

    private static async Task WaitStartedAsync(FakeTopTransport transport)
    {
        for (var i = 0; i < 200 && transport.Started.Count == 0; i++)
            await Task.Delay(10);
        Assert.NotEmpty(transport.Started);
    }

    /// <summary>A top that refuses -w (an old procps) and works with COLUMNS.</summary>
    private sealed class RefusingWTransport : ITopTransport
    {
        public string Host => "fake";

        public Task<int> GetCpuCountAsync(CancellationToken cancellationToken) => Task.FromResult(2);

        public async Task<ITopProcess> StartAsync(TopCommand command, CancellationToken cancellationToken)
        {
            var p = new FakeTopProcess();
            if (command.Width == TopWidthMode.Flag)
                p.Exit(1, "top: invalid option -- 'w'");
            else
                await p.WriteAsync(C08Frames()[0] + "\n");
            return p;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
