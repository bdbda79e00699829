using ClusterWatch.Core.Model;
using ClusterWatch.Core.Watching;
using ClusterWatch.Web;

namespace ClusterWatch.Tests.Web;

public class LiveViewsTests
{
    private static readonly DateTimeOffset T = DateTimeOffset.FromUnixTimeSeconds(1796292000);

    private static LiveState Live(params (string Node, UserUsage[] Users, ProcessUsage[] Procs)[] nodes)
    {
        var live = new LiveState();
        foreach (var (node, users, procs) in nodes)
            live.Node(node, "local", "proc").RecordSuccess(
                new NodeSample(node, 1, T, 5, 0, 0, 1L << 30, 2, procs.Length, 0, SampleFlags.None, users, procs), 0.01, 0);
        return live;
    }

    private static ProcessUsage Proc(int pid, double cpu, double children, double memPct) =>
        new(pid, 100, 1000, "alice", "sim", 'R', cpu, children, 4096, memPct);

    [Fact]
    public void Top_Users_SummedOverNodesThenRoundedTo2Decimals()
    {
        // 0.004 + 0.004 = 0.008 → 0.01 (rounding each node first would give 0); 1.1185211401354354 + 0.9852508120350366 → 2.10.
        var live = Live(
            ("n1", [new UserUsage("alice", 1000, 0.004, 0.004, 0, 1000, 1.1185211401354354, 1)], []),
            ("n2", [new UserUsage("alice", 1000, 0.004, 0.004, 0, 2000, 0.9852508120350366, 1)], []));
        var row = Assert.Single(LiveViews.Top(live, new TopRequest(ItemKind.User, null, null, null, null, null, 10)));
        Assert.Equal(("n1,n2", 0.01, 0.01, 3000L, 2.1), (row.Node, row.CpuPct, row.CpuMaxPct, row.RssBytes, row.MemPct));
    }

    [Fact]
    public void Top_Processes_CpuIsOwnPlusChildrenRoundedTo2Decimals()
    {
        // 40.3 + 6.1 is 46.400000000000006 in doubles; 12.345678901234 → 12.35; memory % 0.4987752223494859 → 0.5.
        var live = Live(("n1", [], [Proc(7, 40.3, 6.1, 0.4987752223494859), Proc(8, 12.345678901234, 0, 0.004999)]));
        var rows = LiveViews.Top(live, new TopRequest(ItemKind.Process, null, null, null, null, null, 10));
        Assert.Equal([(7, 46.4, 0.5), (8, 12.35, 0.0)], rows.Select(r => (r.Pid, r.CpuPct, r.MemPct)));
    }

    [Theory]
    [InlineData(12.345678901234, 12.35)]
    [InlineData(0.125, 0.13)] // exact in binary: a real tie, rounded away from zero as people expect
    [InlineData(199.999, 200.0)]
    public void Pct_TwoDecimals(double value, double expected) => Assert.Equal(expected, ApiNumbers.Pct(value));

    [Theory]
    [InlineData(150.5, 151L)]
    [InlineData(2369343487.4, 2369343487L)]
    public void Bytes_WholeNumbers(double value, long expected) => Assert.Equal(expected, ApiNumbers.Bytes(value));
}
