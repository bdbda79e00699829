using ClusterWatch.Core.Model;
using ClusterWatch.Core.Storage;
using static ClusterWatch.IntegrationTests.Storage.StoreContractData;

namespace ClusterWatch.IntegrationTests.Storage;

public abstract partial class StoreContractTests
{
    [Fact]
    public async Task TopUsers_FromSamples_AverageCountsAbsentAsZero()
    {
        foreach (var s in TwoSamples())
            await Store.WriteSampleAsync(s, Ct);
        var top = await Store.TopAsync(new TopQuery(ItemKind.User, T0.AddSeconds(5), T0.AddSeconds(15)), Ct);
        Assert.Equal(["alice", "bob"], top.Select(t => t.Key));
        // alice: (100 + 50) / 2 samples; 1.5 core-samples × 5 s; RSS (1000 + 3000) / 2; mem (1 + 3) / 2.
        Assert.Equal((75.0, 100.0, 7.5, 2000.0, 3000.0, 2.0, 2L), (top[0].CpuAvgPct, top[0].CpuMaxPct, top[0].CpuSeconds, top[0].RssAvgBytes, top[0].RssMaxBytes, top[0].MemAvgPct, top[0].Samples));
        // bob: 20 in one of the node's 2 samples → 10; 0.2 × 5 s; RSS 500 / 2.
        Assert.Equal((10.0, 20.0, 1.0, 250.0, 1L), (top[1].CpuAvgPct, top[1].CpuMaxPct, top[1].CpuSeconds, top[1].RssAvgBytes, top[1].Samples));
    }

    [Fact]
    public async Task TopProcesses_FromSamples_AverageOverTheirOwnSamples()
    {
        foreach (var s in TwoSamples())
            await Store.WriteSampleAsync(s, Ct);
        var top = await Store.TopAsync(new TopQuery(ItemKind.Process, T0.AddSeconds(5), T0.AddSeconds(15)), Ct);
        Assert.Equal(["10:1234", "20:99"], top.Select(t => t.Key));
        Assert.Equal((75.0, "alice", "sim"), (top[0].CpuAvgPct, top[0].User, top[0].Command));
        Assert.Equal((20.0, "bob", "sh"), (top[1].CpuAvgPct, top[1].User, top[1].Command));
    }

    [Fact]
    public async Task TopProcesses_FromSamples_AliveBetweenItsKeptRows_AveragesCpuOverThose_LikeItsCommand()
    {
        // pid 10 "sim" (alice's only process) uses 80 % and 40 % in the 1st and 4th samples; in the 2nd and 3rd it was
        // idle, so the volume rule summed it into alice's "(other)" row (RSS 2000).
        NodeSample S(long seq, params ProcessUsage[] procs) => Sample("n1", seq, T0.AddSeconds(5 * seq), [User("alice", procs.Sum(p => p.CpuPct), 2000, 2.0)], procs);
        var other = new ProcessUsage(0, 0, 1000, "alice", ProcessUsage.OtherCommand, '-', 0, 0, 2000, 2.0);
        foreach (var s in new[] { S(1, Proc(10, "alice", "sim", 80, 1000, 1.0)), S(2, other), S(3, other), S(4, Proc(10, "alice", "sim", 40, 3000, 3.0)) })
            await Store.WriteSampleAsync(s, Ct);
        var top = await Store.TopAsync(new TopQuery(ItemKind.Process, T0.AddSeconds(5), T0.AddSeconds(25)), Ct);
        var p = top.Single(t => t.Key == "10:1234");
        // CPU (80 + 0 + 0 + 40) / 4 = 30 over the 4 samples it was alive in; 1.2 core-samples × 5 s; RSS over the 2 rows that hold it.
        Assert.Equal((30.0, 80.0, 6.0, 2000.0, 4L), (Math.Round(p.CpuAvgPct, 9), p.CpuMaxPct, Math.Round(p.CpuSeconds, 9), p.RssAvgBytes, p.Samples));
        Assert.Equal(2L, top.Single(t => t.Key == "(other):alice").Samples);
        var sim = (await Store.TopAsync(new TopQuery(ItemKind.Command, T0.AddSeconds(5), T0.AddSeconds(25)), Ct)).Single(t => t.Key == "sim");
        Assert.Equal((30.0, 6.0), (Math.Round(sim.CpuAvgPct, 9), Math.Round(sim.CpuSeconds, 9)));
    }

    [Fact]
    public async Task TopProcesses_FromSamples_KeptOnce_CountsTheSamplesItsWindowSaysItWasAlive()
    {
        // pid 10 used 60 % in the 2nd of 6 samples and was idle (summed into "(other)") in the others; the aggregator,
        // which saw every snapshot, wrote its window [T0, T0+30) with 6 samples alive.
        NodeSample S(long seq, params ProcessUsage[] procs) => Sample("n1", seq, T0.AddSeconds(5 * seq), [User("alice", procs.Sum(p => p.CpuPct), 2000, 2.0)], procs);
        var other = new ProcessUsage(0, 0, 1000, "alice", ProcessUsage.OtherCommand, '-', 0, 0, 2000, 2.0);
        for (var seq = 1; seq <= 6; seq++)
            await Store.WriteSampleAsync(seq == 2 ? S(seq, Proc(10, "alice", "sim", 60, 1000, 1.0)) : S(seq, other), Ct);
        var window = new WindowRow("n1", T0, T0.AddSeconds(30), ItemKind.Process, "10:1234", "alice", "sim", 10, 6, 5,
            new MetricStats(10, 60, 0, 0, 0), new MetricStats(1000, 1000, 1000, 1000, 1000), new MetricStats(1, 1, 1, 1, 1));
        await Store.WriteAggregatesAsync(Aggregates(windows: [window]), Ct);
        var p = (await Store.TopAsync(new TopQuery(ItemKind.Process, T0.AddSeconds(5), T0.AddSeconds(35)), Ct)).Single(t => t.Key == "10:1234");
        // 60 / 6 = 10 %, not 60 over its one kept row; 0.6 core-samples × 5 s = 3 core·s.
        Assert.Equal((10.0, 60.0, 3.0, 6L), (Math.Round(p.CpuAvgPct, 9), p.CpuMaxPct, Math.Round(p.CpuSeconds, 9), p.Samples));
        // A range that cuts the window: it does not count; the kept row alone is all that is known.
        var cut = (await Store.TopAsync(new TopQuery(ItemKind.Process, T0.AddSeconds(5), T0.AddSeconds(30)), Ct)).Single(t => t.Key == "10:1234");
        Assert.Equal((60.0, 1L), (cut.CpuAvgPct, cut.Samples));
    }

    [Fact]
    public async Task TopUsers_FromHistory_WeightedBySamples()
    {
        foreach (var s in TwoSamples())
            await Store.WriteSampleAsync(s, Ct);
        var c1 = T0.AddSeconds(-900);
        var c2 = T0.AddSeconds(-810);
        await Store.WriteAggregatesAsync(Aggregates(history: [History("n1", c1, "alice", 18, 40), History("n1", c2, "alice", 9, 10), History("n1", c1, "bob", 18, 30)]), Ct);
        var top = await Store.TopAsync(new TopQuery(ItemKind.User, T0.AddSeconds(-1000), T0), Ct);
        // The node covers 18 + 9 = 27 samples: alice (40×18 + 10×9) / 27 = 30; bob 30×18 / 27 = 20.
        Assert.Equal([("alice", 30.0), ("bob", 20.0)], top.Select(t => (t.Key, Math.Round(t.CpuAvgPct, 9))));
    }

    [Fact]
    public async Task ProcessNames_FromTheRowsTheSeriesReads_NullWhenThereAreNone()
    {
        foreach (var s in TwoSamples())
            await Store.WriteSampleAsync(s, Ct);
        var w = Window("n1", T0.AddSeconds(-60), "alice", 10) with { Kind = ItemKind.Process, ItemKey = "30:7", User = "carol", Command = "make", Pid = 30 };
        await Store.WriteAggregatesAsync(Aggregates(windows: [w]), Ct);
        var queries = Assert.IsAssignableFrom<IUsageQueries>(Store);
        Task<ProcessNames?> Names(string key, SeriesResolution res = SeriesResolution.Samples, string node = "n1") =>
            queries.ProcessNamesAsync(new SeriesQuery(SeriesScope.Process, res, T0.AddSeconds(-300), T0.AddSeconds(30), node, key), Ct);
        Assert.Equal(new ProcessNames("bob", "sh"), await Names("20:99"));
        Assert.Equal(new ProcessNames("alice", "sim"), await Names("10:1234"));
        Assert.Null(await Names("20:98")); // the same pid with another start time is another process
        Assert.Null(await Names("20:99", node: "n2"));
        Assert.Equal(new ProcessNames("carol", "make"), await Names("30:7", SeriesResolution.Windows));
        Assert.Null(await Names("30:7")); // not in the 5 s rows
    }

    [Fact]
    public async Task SeriesByNode_BucketsEachNode_InSql()
    {
        foreach (var s in TwoSamples("n1").Concat(TwoSamples("n2")))
            await Store.WriteSampleAsync(s, Ct);
        var queries = Assert.IsAssignableFrom<IUsageQueries>(Store);
        // alice on each node: 100 % / 1000 B at T0+5, 50 % / 3000 B at T0+10; one 30 s bucket [T0, T0+30) holds both:
        // average 75 %, max 100, memory 2000 B, max 3000, 2 timestamps. Ordered by node.
        var expected = new[] { "n1", "n2" }.Select(n => new NodeSeriesRow(n, new SeriesRow(T0.AddSeconds(5).ToUnixTimeSeconds(), 75, 100, 2000, 3000, 2))).ToList();
        var user = await queries.SeriesByNodeAsync(new SeriesQuery(SeriesScope.User, SeriesResolution.Samples, T0, T0.AddSeconds(30), Item: "alice"), 30, Ct);
        Assert.Equal(expected, user);
        // The command (summed per time and node first, then bucketed): alice's "sim" is the same numbers.
        var command = await queries.SeriesByNodeAsync(new SeriesQuery(SeriesScope.Command, SeriesResolution.Samples, T0, T0.AddSeconds(30), Item: "sim"), 30, Ct);
        Assert.Equal(expected, command);
    }

    [Fact]
    public async Task Prune_DeletesOnlyRowsPastRetention()
    {
        var now = T0.AddHours(49);
        foreach (var s in TwoSamples())
            await Store.WriteSampleAsync(s, Ct);
        var recent = Sample("n1", 3, now.AddHours(-1), [User("alice", 1, 1, 1)], [Proc(10, "alice", "sim", 1, 1, 1)]);
        await Store.WriteSampleAsync(recent, Ct);
        await Store.WriteAggregatesAsync(Aggregates([Window("n1", T0, "alice", 1)], [History("n1", T0, "alice", 18, 1)]), Ct);
        var deleted = await Store.PruneAsync(new RetentionPolicy(TimeSpan.FromHours(48), TimeSpan.FromHours(48), TimeSpan.FromDays(365)), now, Ct);
        // 2 old samples + 3 user rows + 3 process rows + 1 window; history (1 year) stays.
        Assert.Equal(9, deleted);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM samples"));
        Assert.Equal(3, await CountAsync("SELECT MIN(seq) FROM user_samples"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM history"));
    }

    [Fact]
    public async Task UpsertNode_UpThenDown_KeepsFirstSeenAndShowsTheError()
    {
        await Store.UpsertNodeAsync(new NodeStatus("n1", "host1", "proc", NodeState.Up, T0, null, 4, 8_000_000_000), Ct);
        await Store.UpsertNodeAsync(new NodeStatus("n1", "host1", "proc", NodeState.Down, T0.AddMinutes(5), "connection refused"), Ct);
        var n = Assert.Single(await Store.GetNodesAsync(Ct));
        Assert.Equal(("n1", "host1", NodeState.Down, "connection refused", 4, 8_000_000_000L, T0), (n.Node, n.Host, n.State, n.LastError, n.CpuCount, n.MemTotalBytes, n.LastSeen));
        Assert.Equal(T0.ToUnixTimeSeconds(), await CountAsync("SELECT first_seen_ts FROM nodes"));
    }

    public static TheoryData<string> UntrustedNames => new()
    {
        "'; DROP TABLE samples; --", "🔥 worker 🚀", "bad\uFFFDbytes", "o'neil\\\"x", "tab\tand\nnewline", "Alice", "alice ", "ünïcødé",
    };

    [Theory]
    [MemberData(nameof(UntrustedNames))]
    public async Task UntrustedNames_StoredAndReadBackExactly(string name)
    {
        var s = Sample("n1", 1, T0.AddSeconds(5), [User(name, 10, 1, 1), User("alice", 5, 1, 1)],
            [Proc(10, name, name, 10, 1, 1), Proc(11, "alice", "alice", 5, 1, 1)]);
        await Store.WriteSampleAsync(s, Ct);
        var back = Assert.Single(await Store.LoadSamplesAsync("n1", T0, T0.AddMinutes(1), Ct));
        Assert.Contains(back.Users, u => u.User == name);
        Assert.Contains(back.Processes, p => p.Command == name && p.User == name);
        var commands = await Store.TopAsync(new TopQuery(ItemKind.Command, T0.AddSeconds(5), T0.AddSeconds(10)), Ct);
        Assert.Equal(name, commands[0].Key);
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM samples"));
    }

    [Fact]
    public async Task Leases_SecondOwnerRefusedUntilExpiry_ThenTakesOver()
    {
        var lease = TimeSpan.FromSeconds(60);
        Assert.True((await Store.ClaimNodeAsync("n1", "watcher-a", T0, lease, Ct)).Granted);
        var refused = await Store.ClaimNodeAsync("n1", "watcher-b", T0.AddSeconds(30), lease, Ct);
        Assert.Equal((false, "watcher-a", T0.AddSeconds(60)), (refused.Granted, refused.Owner, refused.Until));
        Assert.True((await Store.ClaimNodeAsync("n1", "watcher-a", T0.AddSeconds(40), lease, Ct)).Granted); // renewal
        Assert.False((await Store.ClaimNodeAsync("n1", "watcher-b", T0.AddSeconds(99), lease, Ct)).Granted);
        Assert.True((await Store.ClaimNodeAsync("n1", "watcher-b", T0.AddSeconds(101), lease, Ct)).Granted); // expired
        Assert.False((await Store.ClaimNodeAsync("n1", "watcher-a", T0.AddSeconds(102), lease, Ct)).Granted);
        await Store.ReleaseNodeAsync("n1", "watcher-b", Ct);
        Assert.True((await Store.ClaimNodeAsync("n1", "watcher-a", T0.AddSeconds(103), lease, Ct)).Granted);
        Assert.True((await Store.ClaimNodeAsync("n2", "watcher-b", T0, lease, Ct)).Granted); // other nodes are independent
    }
}
