using System.Diagnostics;
using System.Globalization;
using ClusterWatch.IntegrationTests.Infrastructure;

namespace ClusterWatch.IntegrationTests.Top;

/// <summary>Runs the real top once with given switches, in the pinned environment, and reads /proc for comparison.</summary>
internal static class TopCapture
{
    public static async Task<string> RunAsync(string home, params string[] switches)
    {
        var psi = new ProcessStartInfo("top") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-b", "-n", "1" }.Concat(switches))
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("XDG_CONFIG_HOME");
        psi.Environment["HOME"] = home;
        psi.Environment["LC_ALL"] = "C.UTF-8";
        using var p = Process.Start(psi)!;
        var text = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await p.StandardError.ReadToEndAsync());
        return text;
    }

    public static string Comm(int pid) => File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');

    /// <summary>State letter and utime+stime seconds from /proc/PID/stat (comm may hold spaces: fields after the last ')').</summary>
    public static (char State, double CpuSeconds) Stat(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (f[0][0], (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0);
    }

    /// <summary>VmRSS in KiB (0 for a zombie).</summary>
    public static long RssKib(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line == null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>The real user name of a process, from the Uid: line and getent.</summary>
    public static string UserName(int pid)
    {
        var uid = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var psi = new ProcessStartInfo("getent", ["passwd", uid]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var line = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return line.Split(':')[0];
    }

    public static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }
}
