using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sampling;

namespace ClusterWatch.Tests.Sampling;

public class VolumeFilterTests
{
    private static ProcessUsage P(int pid, string user, double cpu, long rss, double children = 0) =>
        new(pid, pid * 10, 1000, user, "c" + pid, 'S', cpu, children, rss, rss / 1e6);

    [Fact]
    public void KeepsCpuUsersAndTopByMemory_SumsTheRestPerUser()
    {
        var all = new List<ProcessUsage>
        {
            P(1, "alice", 5, 100), P(2, "alice", 0, 900), P(3, "alice", 0, 200), P(4, "alice", 0, 300),
            P(5, "bob", 0, 50, children: 2), P(6, "bob", 0, 60), P(7, "bob", 0, 70),
        };
        var kept = VolumeFilter.Apply(all, topByMemory: 2, allProcesses: false);
        // CPU: 1 (own) and 5 (children's credit); top 2 by memory: 2 (900) and 4 (300).
        Assert.Equal([1, 2, 4, 5], kept.Where(p => p.Pid != 0).Select(p => p.Pid).Order());
        var aliceOther = kept.Single(p => p.Pid == 0 && p.User == "alice");
        Assert.Equal(ProcessUsage.OtherCommand, aliceOther.Command);
        Assert.Equal(200, aliceOther.RssBytes);
        Assert.Equal(130, kept.Single(p => p.Pid == 0 && p.User == "bob").RssBytes);
        // Per-user totals unchanged by the rule.
        foreach (var user in new[] { "alice", "bob" })
        {
            Assert.Equal(all.Where(p => p.User == user).Sum(p => p.RssBytes), kept.Where(p => p.User == user).Sum(p => p.RssBytes));
            Assert.Equal(all.Where(p => p.User == user).Sum(p => p.TotalCpuPct), kept.Where(p => p.User == user).Sum(p => p.TotalCpuPct));
        }
        Assert.Same(all, VolumeFilter.Apply(all, 2, allProcesses: true));
    }
}
