using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;
using ClusterWatch.Core.Sources.Top;

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
    public async Task RealTop_OverSsh_EachTakeGetsTheNodesOwnFrame_AtTheCadence()
    {
        _ = SshNodes.Dir;
        await using var top = Top("n1");
        var snaps = new List<NodeSnapshot>();
        for (var i = 0; i < 5; i++)
        {
            var started = DateTimeOffset.UtcNow;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(i == 0 ? 20 : 5));
            try
            {
                snaps.Add(await top.TakeAsync(started, cts.Token));
            }
            catch (NodeSourceException) when (i == 0)
            {
                // The very first take may be spent connecting and starting top.
            }
            if (i > 1)
                Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(1.6), $"take {i} waited {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s");
        }
        Assert.True(snaps.Count >= 4);
        foreach (var s in snaps)
        {
            // The node's own namespace: its sshd and top, not the machine's hundreds of processes.
            Assert.InRange(s.ProcessCount, 2, 30);
            Assert.Contains(s.ProcessSpan.ToArray(), p => p.Command == "sshd");
        }
    }

    private static TopSource Top(string node, string? name = null) =>
        new(name ?? node, new SshTopTransport(SshNodes.Endpoint(node), SshNodes.QuickReconnect), 1, null, "C.UTF-8");

    [Fact]
    public async Task TopMissing_ToolMissingWithStderr_NotRetriedAtEveryTick_C22()
    {
        _ = SshNodes.Dir;
        SshNodes.Start("tm", "--path", SshNodes.ToolDir("tm"));
        try
        {
            await using var top = Top("tm");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            NodeSourceException? e = null;
            for (var i = 0; i < 5 && e == null; i++)
                e = await Record(top, cts.Token);
            Assert.NotNull(e);
            Assert.Equal(NodeState.ToolMissing, e.State);
            Assert.Contains("status 127", e.Message, StringComparison.Ordinal);
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
    [InlineData("garbage", "echo 'Segmentation fault: core dumped into the void'; exec sleep 600", "no complete frame")]
    [InlineData("ttyfail", "echo 'top: failed tty get' >&2; exit 1", "status 1: top: failed tty get")] // C21
    [InlineData("sudoprompt", "printf '[sudo] password for svc_monitor: '; exec sleep 600", "no complete frame")] // C23 case C: ends by timeout
    public async Task BrokenTop_ClearErrorWithinTheSampleTimeout_NeverZeros(string kind, string fakeTop, string expected)
    {
        _ = SshNodes.Dir;
        var name = "tb" + kind[..3];
        SshNodes.Start(name, "--path", SshNodes.ToolDir(name, fakeTop));
        try
        {
            await using var top = Top(name);
            // The first take may be spent connecting (the watcher's per-sample timeout); the error comes within a few.
            NodeSourceException? error = null;
            for (var i = 0; i < 6 && error?.Message.Contains(expected, StringComparison.Ordinal) != true; i++)
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
            Assert.True(error.State is NodeState.Down or NodeState.ToolMissing, error.State.ToString());
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
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
                Top("tx1"),
                Top("tx2"),
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
            Assert.Contains("no complete frame", error[0], StringComparison.Ordinal);
        }
        finally
        {
            SshNodes.Stop("tx1");
            SshNodes.Stop("tx2");
        }
    }

    private static async Task<NodeSourceException?> Record(TopSource top, CancellationToken ct)
    {
        try
        {
            await top.TakeAsync(DateTimeOffset.UtcNow, ct);
            return null;
        }
        catch (NodeSourceException e)
        {
            return e;
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
