using System.Diagnostics;
using System.Globalization;
using ClusterWatch.Core.Sources.Transport;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Ssh;

/// <summary>
/// The sshd test nodes test.sh started (tests/setup/20-sshd.sh) and the helper that starts, stops, hangs and rekeys
/// more of them. Every node a test starts is stopped by the test (and, failing that, by test.sh's cleanup).
/// </summary>
public static class SshNodes
{
    public static string Dir => TestServers.Require("CW_TEST_SSH_DIR", "sshd test nodes");

    public static string Ctl => TestServers.Require("CW_TEST_SSH_CTL", "the sshd test node helper");

    public static string ClientKey => Path.Combine(Dir, "client_key");

    public static string KnownHosts => Path.Combine(Dir, "known_hosts");

    /// <summary>Runs the helper (arguments passed as a list, never through a shell); fails the test on error.</summary>
    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Ctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit(60_000);
        Assert.True(p.ExitCode == 0, $"sshd-ctl {string.Join(' ', args)} failed: {stderr}");
        return stdout.Result;
    }

    public static void Start(string name, params string[] options) => Run(["start", name, .. options]);

    public static void Stop(string name) => Run("stop", name);

    /// <summary>Host and port of a node from nodes.tsv.</summary>
    public static (string Host, int Port) Address(string name)
    {
        foreach (var line in File.ReadAllLines(Path.Combine(Dir, "nodes.tsv")))
        {
            var f = line.Split('\t');
            if (f[0] == name)
                return (f[1], int.Parse(f[2], CultureInfo.InvariantCulture));
        }
        throw new InvalidOperationException($"node {name} was never started");
    }

    public static SshEndpoint Endpoint(string name, string? knownHosts = null)
    {
        var (host, port) = Address(name);
        return new SshEndpoint(name, host, port, "cwnode", ClientKey, null, knownHosts ?? KnownHosts,
            TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>Fast reconnects for tests: 1 s, 2 s, capped at 2 s.</summary>
    public static ReconnectPolicy QuickReconnect { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

    /// <summary>Host pids of a node's processes run by <paramref name="user"/> (seen from outside its namespace).</summary>
    public static IReadOnlyList<int> PidsOf(string node, string user)
    {
        var uid = UidOf(user);
        var result = new List<int>();
        foreach (var line in Run("pids", node).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var pid = int.Parse(line, CultureInfo.InvariantCulture);
            try
            {
                var status = File.ReadAllText($"/proc/{pid}/status");
                var uidLine = status.Split('\n').First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (int.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) == uid)
                    result.Add(pid);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
            }
        }
        return result;
    }

    /// <summary>utime+stime of the given host pids, in clock ticks (USER_HZ = 100 on Linux).</summary>
    public static long CpuTicks(IEnumerable<int> pids)
    {
        long sum = 0;
        foreach (var pid in pids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                sum += long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }
        return sum;
    }

    public static int UidOf(string user)
    {
        foreach (var line in File.ReadAllLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f[0] == user)
                return int.Parse(f[2], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"no user {user}");
    }

    /// <summary>A folder for a node's PATH holding the tools the scripts use, without top (and optionally a fake one).</summary>
    public static string ToolDir(string name, string? fakeTop = null)
    {
        var dir = Path.Combine(Dir, "paths", name);
        if (Directory.Exists(dir))
            Directory.Delete(dir, true);
        Directory.CreateDirectory(dir);
        foreach (var tool in new[] { "sh", "cat", "head", "getconf", "getent", "id", "mktemp", "rm", "sleep", "timeout", "grep", "locale" })
        {
            var real = new[] { "/usr/bin/" + tool, "/bin/" + tool }.FirstOrDefault(File.Exists);
            if (real != null)
                File.CreateSymbolicLink(Path.Combine(dir, tool), real);
        }
        if (fakeTop != null)
        {
            var top = Path.Combine(dir, "top");
            File.WriteAllText(top, "#!/bin/sh\n" + fakeTop + "\n");
            File.SetUnixFileMode(top, (UnixFileMode)0x1ED); // 0755
        }
        File.SetUnixFileMode(Path.Combine(Dir, "paths"), (UnixFileMode)0x1ED);
        File.SetUnixFileMode(dir, (UnixFileMode)0x1ED);
        return dir;
    }
}

/// <summary>Collects what the watcher reports, for assertions.</summary>
public sealed class RecordingReporter : ClusterWatch.Core.Watching.IWatchReporter
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return _lines.ToList();
        }
    }

    public void Status(string line)
    {
        lock (_lines)
            _lines.Add("status " + line);
    }

    public void Problem(string node, string message)
    {
        lock (_lines)
            _lines.Add($"problem {node}: {message}");
    }

    public void Debug(string message)
    {
    }
}
