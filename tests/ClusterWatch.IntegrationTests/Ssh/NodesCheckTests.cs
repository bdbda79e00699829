using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Ssh;

/// <summary>`clusterwatch nodes check` as an admin runs it, against real sshd nodes, a closed port and an unreadable key.</summary>
public sealed class NodesCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cw-check-").FullName;

    [Fact]
    public async Task Check_ReportsEachNodeAsItIs_AndExits1WhenAnyFails()
    {
        var (host, port) = SshNodes.Address("n1");
        var junkKey = Path.Combine(_dir, "junk_key");
        await File.WriteAllTextAsync(junkKey, "not a key\n", TestContext.Current.CancellationToken);
        var config = Path.Combine(_dir, "clusterwatch.json");
        await File.WriteAllTextAsync(config, $$"""
            { "NodeDefaults": { "User": "cwnode", "KeyFile": "{{SshNodes.ClientKey}}", "KnownHosts": "{{SshNodes.KnownHosts}}" },
              "Nodes": [ { "Name": "good", "Host": "{{host}}", "Port": {{port}} },
                         { "Name": "closed", "Host": "127.0.0.1", "Port": 1 },
                         { "Name": "badkey", "Host": "{{host}}", "Port": {{port}}, "KeyFile": "{{junkKey}}" } ] }
            """, TestContext.Current.CancellationToken);

        // Piped, as in a script or CI log: the table must still be readable, one row per node.
        var run = await ClusterWatchProcess.RunAsync(["nodes", "check", "--config", config], TimeSpan.FromSeconds(90), _dir);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Stdout}{run.Stderr}");
        string Row(string node) => run.Stdout.Split('\n').Single(l => l.StartsWith($"│ {node} ", StringComparison.Ordinal));
        string[] Cells(string node) => Row(node).Split('│', StringSplitOptions.TrimEntries)[1..^1];

        var good = Cells("good");
        Assert.Equal(["good", $"{host}:{port}", "yes", "ok", "ok", "proc, top"], good[..6]);
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), good[6]);
        // The node's own PID namespace: its init, sshd and this session — not the hundreds of this machine.
        var procs = int.Parse(good[7], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(procs, 2, 40);
        Assert.EndsWith(" ms", good[8], StringComparison.Ordinal);
        Assert.Equal("", good[9]);

        var closed = Cells("closed");
        Assert.Equal(["NO", "-", "-"], closed[2..5]);
        Assert.Contains("Connection refused", closed[9], StringComparison.Ordinal);

        var badKey = Cells("badkey");
        Assert.Equal(["-", "NO KEY", "-"], badKey[2..5]); // nothing is known of a node never connected to
        Assert.Contains($"cannot load key file {junkKey}", badKey[9], StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
