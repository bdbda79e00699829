using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;

namespace ClusterWatch.IntegrationTests.Ssh;

/// <summary>Failure isolation with real sshd nodes: a node killed and restarted, a node hung with SIGSTOP (C25).</summary>
[Collection("machine load")]
public sealed class SshFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-ssh-").FullName;

    [Fact]
    public async Task DeadAndHungNodes_GoDownAndComeBack_OthersKeepEverySample()
    {
        string[] nodes = ["f1", "f2", "f3", "f4"];
        _ = SshNodes.Dir;
        foreach (var n in nodes)
            SshNodes.Start(n);
        try
        {
            var sources = nodes.Select(n => (INodeSource)new SshProcSource(SshNodes.Endpoint(n), SshNodes.QuickReconnect)).ToList();
            long killedAt = 0, restartedAt = 0, hungAt = 0, resumedAt = 0;
            var start = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var run = await SshWatch.RunAsync(sources, TimeSpan.FromSeconds(30), _dir, async () =>
            {
                killedAt = await SshLoadTests.AfterTickAsync(9);
                SshNodes.Stop("f2"); // kills the namespace: every process of the node ends, open sessions drop
                hungAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                SshNodes.Run("hang", "f3"); // SIGSTOP: the TCP connection stays open, nothing answers
                restartedAt = await SshLoadTests.AfterTickAsync(5);
                SshNodes.Start("f2");
                resumedAt = await SshLoadTests.AfterTickAsync(1);
                SshNodes.Run("resume", "f3");
            });
            var problems = string.Join("\n", run.Reporter.Lines.Where(l => l.StartsWith("problem", StringComparison.Ordinal)));
            foreach (var healthy in new[] { "f1", "f4" })
            {
                var ticks = await SshWatch.TicksAsync(run.Db, healthy);
                Assert.True(ticks.Count > 0 && ticks[0] <= start + 8, $"{healthy}: first sample at {ticks.FirstOrDefault() - start} s");
                var gaps = SshWatch.Gaps(ticks);
                Assert.True(gaps.Count == 0, $"{healthy} missed ticks at {string.Join(", ", gaps.Select(g => g - start))} s (killed at {killedAt - start}, hung at {hungAt - start}); {problems}");
                Assert.True(ticks[^1] >= start + 28, $"{healthy}: last sample at {ticks[^1] - start} s");
            }
            // The killed node: down with its samples missing (no rows, not zeros), then up again after the restart.
            var f2 = await SshWatch.TicksAsync(run.Db, "f2");
            Assert.Contains(f2, t => t <= killedAt);
            Assert.DoesNotContain(f2, t => t > killedAt + 1 && t <= restartedAt);
            Assert.Contains(f2, t => t > restartedAt + 1);
            Assert.Contains("problem f2: down", problems, StringComparison.Ordinal);
            // The hung node: timed out at the sample timeout, its samples missing, back after SIGCONT.
            var f3 = await SshWatch.TicksAsync(run.Db, "f3");
            Assert.DoesNotContain(f3, t => t > hungAt + 1 && t <= resumedAt);
            Assert.True(problems.Contains("problem f3: down", StringComparison.Ordinal), problems);
            Assert.Contains(f3, t => t > resumedAt + 1);
            var states = await SshWatch.ColumnAsync<string>(run.Db, "SELECT node_name || '=' || status FROM nodes ORDER BY node_name");
            Assert.Equal(["f1=up", "f2=up", "f3=up", "f4=up"], states);
            // Status lines name the down nodes while they are down.
            Assert.Contains(run.Reporter.Lines, l => l.StartsWith("status", StringComparison.Ordinal) && l.Contains("f2 down", StringComparison.Ordinal));
        }
        finally
        {
            SshNodes.Run("resume", "f3");
            foreach (var n in nodes)
                SshNodes.Stop(n);
        }
    }

    [Fact]
    public async Task HostKeyChanged_RefusedWithBothFingerprints_TrustAcceptsIt_OtherNodesUnaffected()
    {
        _ = SshNodes.Dir;
        SshNodes.Start("hk1");
        SshNodes.Start("hk2");
        try
        {
            // A private known_hosts for this test, so `nodes trust` writes nowhere else.
            var knownHosts = Path.Combine(_dir, "known_hosts");
            File.Copy(SshNodes.KnownHosts, knownHosts);
            SshNodes.Stop("hk2");
            SshNodes.Run("rekey", "hk2");
            SshNodes.Start("hk2", "--no-trust");
            var (host, port) = SshNodes.Address("hk2");
            var stored = KeyFingerprint(knownHosts, $"[{host}]:{port}");
            var presented = PublicKeyFingerprint(Path.Combine(SshNodes.Dir, "nodes", "hk2", "host_key.pub"));
            Assert.NotEqual(stored, presented);

            await using (var refused = new SshProcSource(SshNodes.Endpoint("hk2", knownHosts)))
            {
                var e = await Assert.ThrowsAsync<NodeSourceException>(() => refused.TakeAsync(DateTimeOffset.UtcNow, CancellationToken.None));
                Assert.Equal(NodeState.HostKeyChanged, e.State);
                Assert.Contains("hk2", e.Message, StringComparison.Ordinal);
                Assert.Contains(stored, e.Message, StringComparison.Ordinal);
                Assert.Contains(presented, e.Message, StringComparison.Ordinal);
                Assert.Contains("clusterwatch nodes trust hk2", e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("Key exchange negotiation failed", e.Message, StringComparison.Ordinal);
            }
            await using (var other = new SshProcSource(SshNodes.Endpoint("hk1", knownHosts)))
                Assert.True((await other.TakeAsync(DateTimeOffset.UtcNow, CancellationToken.None)).ProcessCount > 0);

            // The admin accepts the new key with the real command, reading a real configuration file.
            var config = Path.Combine(_dir, "clusterwatch.json");
            await File.WriteAllTextAsync(config, $$"""
                { "NodeDefaults": { "User": "cwnode", "KeyFile": "{{SshNodes.ClientKey}}", "KnownHosts": "{{knownHosts}}" },
                  "Nodes": [ { "Name": "hk2", "Host": "{{host}}", "Port": {{port}} } ] }
                """);
            var trust = await Infrastructure.ClusterWatchProcess.RunAsync(["nodes", "trust", "hk2", "--config", config], TimeSpan.FromSeconds(60), _dir);
            Assert.True(trust.ExitCode == 0, trust.Stdout + trust.Stderr);
            Assert.Contains(presented, trust.Stdout, StringComparison.Ordinal);
            Assert.Equal(presented, KeyFingerprint(knownHosts, $"[{host}]:{port}"));
            await using (var accepted = new SshProcSource(SshNodes.Endpoint("hk2", knownHosts)))
                Assert.True((await accepted.TakeAsync(DateTimeOffset.UtcNow, CancellationToken.None)).ProcessCount > 0);

            // Unknown host: no entry at all is refused too, with the command to accept it.
            var empty = Path.Combine(_dir, "empty_known_hosts");
            await File.WriteAllTextAsync(empty, "");
            await using var unknown = new SshProcSource(SshNodes.Endpoint("hk1", empty));
            var u = await Assert.ThrowsAsync<NodeSourceException>(() => unknown.TakeAsync(DateTimeOffset.UtcNow, CancellationToken.None));
            Assert.Equal(NodeState.HostKeyUnknown, u.State);
            Assert.Contains("clusterwatch nodes trust hk1", u.Message, StringComparison.Ordinal);
        }
        finally
        {
            SshNodes.Stop("hk1");
            SshNodes.Stop("hk2");
        }
    }

    /// <summary>The fingerprint of a known_hosts entry, computed here from the base64 blob (independently of KnownHosts).</summary>
    private static string KeyFingerprint(string knownHosts, string name)
    {
        var line = File.ReadAllLines(knownHosts).Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return Sha256(line.Split(' ')[2]);
    }

    private static string PublicKeyFingerprint(string pubFile) => Sha256(File.ReadAllText(pubFile).Split(' ')[1]);

    private static string Sha256(string base64) =>
        "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Convert.FromBase64String(base64))).TrimEnd('=');

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
