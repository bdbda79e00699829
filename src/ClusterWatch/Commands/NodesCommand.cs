using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ClusterWatch.Configuration;
using ClusterWatch.Core.Model;
using ClusterWatch.Core.Sources;
using ClusterWatch.Core.Sources.Ssh;
using ClusterWatch.Core.Sources.Transport;
using Spectre.Console;

namespace ClusterWatch.Commands;

/// <summary>`clusterwatch nodes check` and `clusterwatch nodes trust NAME`: the configured SSH nodes.</summary>
internal static class NodesCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var check = new Command("check", "Connect to every configured node and show what works: reachable, auth, host key, sources, CPUs, processes, round-trip") { config };
        check.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var nodes = Load(parse.GetValue(config));
            var results = await Task.WhenAll(nodes.Select(n => NodeCheck.RunAsync(n, ct)));
            Print(results);
            return results.All(r => r.Ok) ? 0 : 1;
        }));
        var nameArg = new Argument<string>("NAME") { Description = "Node name as configured" };
        var trust = new Command("trust", "Fetch the node's current host key and write it to its known_hosts file (replacing an old key)") { config, nameArg };
        trust.SetAction((parse, ct) => CommonOptions.RunAsync(async () =>
        {
            var name = parse.GetValue(nameArg)!;
            var node = Load(parse.GetValue(config)).FirstOrDefault(n => n.Endpoint.Name == name)
                ?? throw new ConfigException([new ConfigError("NAME", $"no node named '{name}' in Nodes")]);
            var (code, message) = await TrustAsync(node.Endpoint, ct);
            Console.WriteLine(message);
            return code;
        }));
        return new Command("nodes", "The SSH nodes of the configuration") { check, trust };
    }

    private static IReadOnlyList<NodeConfig> Load(string? path)
    {
        var cfg = ConfigLoader.Load(path, new Dictionary<string, string?>(), requireFile: false);
        var nodes = NodesConfig.Read(cfg.Raw, cfg.Source);
        if (nodes.Count == 0)
            throw new ConfigException([new ConfigError("Nodes", "no nodes configured; add a Nodes list to clusterwatch.json (see docs/ssh.md)")]);
        return nodes;
    }

    /// <summary>Connects accepting whatever key the node presents, then stores it: the admin asked for exactly this.</summary>
    internal static async Task<(int Code, string Message)> TrustAsync(SshEndpoint ep, CancellationToken ct)
    {
        PresentedHostKey? key = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ep.ConnectTimeout * 2);
            using var client = await SshConnector.ConnectAsync(ep, timeout.Token, k => key = k, acceptAnyKey: true);
        }
        catch (Exception e) when (e is NodeSourceException or OperationCanceledException && key != null)
        {
            // Authentication may fail after the key exchange; the key is what we came for.
        }
        catch (Exception e) when (e is NodeSourceException or OperationCanceledException)
        {
            return (1, $"{ep.Name}: could not fetch the host key: {e.Message}");
        }
        if (key == null)
            return (1, $"{ep.Name}: the node presented no host key");
        var old = File.Exists(ep.KnownHostsFile) ? await File.ReadAllTextAsync(ep.KnownHostsFile, ct) : "";
        var before = KnownHosts.Check(old, ep.Host, ep.Port, key.KeyType, key.Blob);
        if (before.Verdict == HostKeyVerdict.Trusted)
            return (0, $"{ep.Name}: {key.KeyType} {key.Fingerprint} is already trusted in {ep.KnownHostsFile}");
        var dir = Path.GetDirectoryName(Path.GetFullPath(ep.KnownHostsFile));
        if (dir != null)
            Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(ep.KnownHostsFile, KnownHosts.Replace(old, ep.Host, ep.Port, key.KeyType, key.Blob), ct);
        var replaced = before.StoredFingerprints.Count > 0 ? $" (replacing {string.Join(", ", before.StoredFingerprints)})" : "";
        return (0, $"{ep.Name}: trusted {key.KeyType} {key.Fingerprint} for {KnownHosts.HostName(ep.Host, ep.Port)} in {ep.KnownHostsFile}{replaced}");
    }

    private static void Print(IReadOnlyList<NodeCheckResult> results)
    {
        var table = new Table().AddColumns("node", "address", "reachable", "auth", "host key", "sources", "CPUs", "processes", "round-trip", "problem");
        foreach (var r in results)
            table.AddRow(
                Markup.Escape(r.Name), Markup.Escape(r.Address), r.Reachable, r.Auth, Markup.Escape(r.HostKey), Markup.Escape(r.Sources),
                r.Cpus?.ToString(CultureInfo.InvariantCulture) ?? "-", r.Processes?.ToString(CultureInfo.InvariantCulture) ?? "-",
                r.RoundTripMs is { } ms ? $"{ms:0.0} ms" : "-", Markup.Escape(r.Problem ?? ""));
        // Piped or redirected, Spectre assumes 80 columns and wraps the problem text a few letters a line.
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 240);
        AnsiConsole.Write(table);
    }
}

/// <summary>What `nodes check` found on one node.</summary>
internal sealed record NodeCheckResult(
    string Name, string Address, string Reachable, string Auth, string HostKey, string Sources, int? Cpus, int? Processes, double? RoundTripMs, string? Problem)
{
    public bool Ok => Problem == null;
}

/// <summary>Runs the checks of one node; never throws.</summary>
internal static class NodeCheck
{
    public static async Task<NodeCheckResult> RunAsync(NodeConfig node, CancellationToken ct)
    {
        var ep = node.Endpoint;
        Renci.SshNet.SshClient client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ep.ConnectTimeout * 2);
            client = await SshConnector.ConnectAsync(ep, timeout.Token);
        }
        catch (NodeSourceException e)
        {
            var (reach, auth, key) = e.State switch
            {
                // The key file could not be loaded: nothing was connected, so nothing is known of the node itself.
                NodeState.AuthFailed when e.InnerException is not Renci.SshNet.Common.SshAuthenticationException => ("-", "NO KEY", "-"),
                NodeState.AuthFailed => ("yes", "FAILED", "ok"),
                NodeState.HostKeyUnknown => ("yes", "-", "UNKNOWN"),
                NodeState.HostKeyChanged => ("yes", "-", "CHANGED"),
                _ => ("NO", "-", "-"),
            };
            return new NodeCheckResult(ep.Name, ep.Address, reach, auth, key, "-", null, null, null, e.Message);
        }
        catch (OperationCanceledException)
        {
            return new NodeCheckResult(ep.Name, ep.Address, "NO", "-", "-", "-", null, null, null, $"no answer within {(ep.ConnectTimeout * 2).TotalSeconds:0} s");
        }
        using (client)
        {
            var watch = Stopwatch.StartNew();
            using (var ping = client.CreateCommand(":"))
                await ping.ExecuteAsync(ct);
            var rtt = watch.Elapsed.TotalMilliseconds;
            var works = new List<string>();
            var problems = new List<string>();
            int? cpus = null, procs = null;
            await using (var proc = new SshProcSource(ep))
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(15));
                    var snap = await proc.TakeAsync(DateTimeOffset.UtcNow, timeout.Token);
                    cpus = snap.CpuCount;
                    procs = snap.ProcessCount;
                    works.Add(snap.Flags.HasFlag(SampleFlags.Partial) ? "proc (partial: hidepid)" : "proc");
                }
                catch (Exception e) when (e is NodeSourceException or OperationCanceledException)
                {
                    problems.Add($"proc: {e.Message}");
                }
            }
            using (var top = client.CreateCommand("command -v top >/dev/null 2>&1 || exit 127; HOME=/nonexistent LC_ALL=C top -b -n 1 -w 512 2>&1 | head -n 1"))
            {
                await top.ExecuteAsync(ct);
                if (top.ExitStatus == 127)
                    problems.Add("top: not found in the login PATH");
                else if (top.Result.StartsWith("top - ", StringComparison.Ordinal))
                    works.Add("top");
                else
                    problems.Add($"top: unexpected output '{top.Result.Split('\n')[0]}'");
            }
            return new NodeCheckResult(ep.Name, ep.Address, "yes", "ok", "ok", string.Join(", ", works), cpus, procs, rtt,
                problems.Count == 0 ? null : string.Join("; ", problems));
        }
    }
}
