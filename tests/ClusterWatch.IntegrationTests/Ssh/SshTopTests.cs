using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;

namespace ClusterWatch.IntegrationTests.Ssh;

/// <summary>
/// top over SSH on real sshd nodes: frames arrive without lag, and broken or missing tops give clear errors
/// (cases C21, C22, C23) while other nodes keep sampling.
/// </summary>
[Collection("machine load")]
public sealed class SshTopTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-ssh-").FullName;

    [Fact]
    public async Task RealTop_EachTakeGetsAFreshCompleteFrame_WithoutWaitingForTheNextOne()
    {
        _ = SshNodes.Dir;
        var parser = new RecordingParser();
        await using var top = new SshTopSource(SshNodes.Endpoint("n1"), delay: TimeSpan.FromSeconds(1), parser: parser);
        using var first = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await top.TakeAsync(DateTimeOffset.UtcNow, first.Token);
        for (var i = 0; i < 3; i++)
        {
            var started = DateTimeOffset.UtcNow;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await top.TakeAsync(started, cts.Token);
            // top -d 1 prints a frame every second; a reader one frame late would wait about two.
            Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(1.6), $"take {i} waited {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s");
        }
        Assert.Equal(4, parser.Frames.Count);
        foreach (var frame in parser.Frames)
        {
            Assert.StartsWith("top - ", frame, StringComparison.Ordinal);
            var tasks = int.Parse(frame.Split('\n').First(l => l.StartsWith("Tasks:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            var rows = frame.Split('\n').SkipWhile(l => !l.TrimStart().StartsWith("PID", StringComparison.Ordinal)).Skip(1).Count(l => l.Trim().Length > 0);
            Assert.Equal(tasks, rows); // every row of the frame, none of the next
            // The node's own namespace: top there sees its sshd, not the machine's thousands of processes.
            Assert.True(tasks < 30, $"top saw {tasks} tasks: not the node's own namespace");
        }
    }

    [Fact]
    public async Task TopMissing_ToolMissingWithStderr_NotRetriedAtEveryTick_C22()
    {
        _ = SshNodes.Dir;
        SshNodes.Start("tm", "--path", SshNodes.ToolDir("tm"));
        try
        {
            await using var top = new SshTopSource(SshNodes.Endpoint("tm"), SshNodes.QuickReconnect, TimeSpan.FromSeconds(1));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var e = await Assert.ThrowsAsync<NodeSourceException>(() => top.TakeAsync(DateTimeOffset.UtcNow, cts.Token));
            Assert.Equal(NodeState.ToolMissing, e.State);
            Assert.Contains("exit status 127", e.Message, StringComparison.Ordinal);
            Assert.Contains("top: command not found", e.Message, StringComparison.Ordinal);
            var again = DateTimeOffset.UtcNow;
            var e2 = await Assert.ThrowsAsync<NodeSourceException>(() => top.TakeAsync(DateTimeOffset.UtcNow, cts.Token));
            Assert.Equal(NodeState.ToolMissing, e2.State);
            Assert.True(DateTimeOffset.UtcNow - again < TimeSpan.FromMilliseconds(200), "the second take probed the node again");
        }
        finally
        {
            SshNodes.Stop("tm");
        }
    }

    [Theory]
    [InlineData("garbage", "echo 'Segmentation fault: core dumped into the void'; exec sleep 600", "Segmentation fault: core dumped into the void")]
    [InlineData("ttyfail", "echo 'top: failed tty get' >&2; exit 1", "exit status 1): top: failed tty get")] // C21
    [InlineData("sudoprompt", "printf '[sudo] password for svc_monitor: '; exec sleep 600", "[sudo] password for svc_monitor:")] // C23 case C
    public async Task BrokenTop_ClearErrorWithinTheSampleTimeout_NeverZeros(string kind, string fakeTop, string expected)
    {
        _ = SshNodes.Dir;
        var name = "tb" + kind[..3];
        SshNodes.Start(name, "--path", SshNodes.ToolDir(name, fakeTop));
        try
        {
            await using var top = new SshTopSource(SshNodes.Endpoint(name), SshNodes.QuickReconnect, TimeSpan.FromSeconds(1), new RecordingParser());
            // The first take may be spent connecting (the watcher's per-sample timeout); the error comes within a few.
            NodeSourceException? error = null;
            for (var i = 0; i < 5 && error == null; i++)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(4));
                try
                {
                    await top.TakeAsync(DateTimeOffset.UtcNow, cts.Token);
                    Assert.Fail("a broken top produced a snapshot");
                }
                catch (NodeSourceException e)
                {
                    error = e;
                }
                catch (OperationCanceledException)
                {
                }
            }
            Assert.NotNull(error);
            Assert.Equal(NodeState.Down, error.State);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            SshNodes.Stop(name);
        }
    }

    [Fact]
    public async Task BrokenAndMissingTops_OtherNodesKeepEverySample()
    {
        _ = SshNodes.Dir;
        SshNodes.Start("tx1", "--path", SshNodes.ToolDir("tx1"));
        SshNodes.Start("tx2", "--path", SshNodes.ToolDir("tx2", "echo garbage; exec sleep 600"));
        try
        {
            var sources = new List<INodeSource>
            {
                new SshTopSource(SshNodes.Endpoint("tx1"), SshNodes.QuickReconnect, TimeSpan.FromSeconds(1)),
                new SshTopSource(SshNodes.Endpoint("tx2"), SshNodes.QuickReconnect, TimeSpan.FromSeconds(1)),
                new SshProcSource(SshNodes.Endpoint("n2"), SshNodes.QuickReconnect),
            };
            var run = await SshWatch.RunAsync(sources, TimeSpan.FromSeconds(14), _dir);
            var ticks = await SshWatch.TicksAsync(run.Db, "n2");
            Assert.True(ticks.Count >= 8, $"n2: {ticks.Count} samples");
            Assert.Empty(SshWatch.Gaps(ticks));
            var states = await SshWatch.ColumnAsync<string>(run.Db, "SELECT node_name || '=' || status FROM nodes ORDER BY node_name");
            Assert.Equal(["n2=up", "tx1=tool-missing", "tx2=down"], states);
            Assert.Empty(await SshWatch.TicksAsync(run.Db, "tx1"));
            Assert.Empty(await SshWatch.TicksAsync(run.Db, "tx2"));
            var error = await SshWatch.ColumnAsync<string>(run.Db, "SELECT last_error FROM nodes WHERE node_name = 'tx2'");
            Assert.Contains("printed no frame", error[0], StringComparison.Ordinal);
        }
        finally
        {
            SshNodes.Stop("tx1");
            SshNodes.Stop("tx2");
        }
    }

    /// <summary>Stands in for the top parser of Sources/Top: records each frame and returns an empty snapshot.</summary>
    private sealed class RecordingParser : ITopFrameParser
    {
        public List<string> Frames { get; } = new();

        public NodeSnapshot? Parse(string frame, string node, DateTimeOffset tick, TimeSpan delay, out string? problem)
        {
            problem = null;
            Frames.Add(frame);
            return new NodeSnapshot(node, "boot", tick, Frames.Count, 1, 0, 0, 1, 1, [], 0);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
