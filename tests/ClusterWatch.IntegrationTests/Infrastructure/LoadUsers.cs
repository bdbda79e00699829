using System.Diagnostics;
using System.Globalization;

namespace ClusterWatch.IntegrationTests.Infrastructure;

/// <summary>
/// Test users and known loads. Each load logs "wall_time cpu_seconds" four times a second, where cpu_seconds is its
/// own rusage including reaped children (perl's times()): the truth the watcher is compared with.
/// </summary>
public static class LoadUsers
{
    // The perl loads live in tests/loads/ (shared with bench/compare), copied beside the test assembly.
    /// <summary>Busy, then asleep, in 100 ms periods: half a core, or the share given as an extra argument.</summary>
    public const string Steady = "steady.pl";

    /// <summary>Every ~200 ms a child that burns ~40 ms of CPU and exits: never alive at two samples.</summary>
    public const string ShortChildren = "short-children.pl";

    /// <summary>Jobs of ~2 s orphaned just before they end, reaped by init or a subreaper (killed job trees).</summary>
    public const string Orphans = "orphans.pl";

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Skips locally, fails under CI=true, unless running as root (creating users and loads needs it).</summary>
    public static void RequireRoot(string why)
    {
        if (IsRoot)
            return;
        if (TestServers.InCi)
            Assert.Fail($"{why}: must run as root (CI runs as root)");
        Assert.Skip($"{why}: needs root; run ./test.sh as root");
    }

    /// <summary>Creates the user if it does not exist (needs root).</summary>
    public static void Ensure(string user)
    {
        if (Run("id", "-u", user) == 0)
            return;
        Assert.Equal(0, Run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user));
    }

    /// <summary>Starts the perl load <paramref name="script"/> (a file of tests/loads) as <paramref name="user"/>; returns the process (runuser → perl).</summary>
    public static Process Start(string user, string script, string dir, string name, params string[] extra)
    {
        var scriptPath = Path.Combine(dir, name + ".pl");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "loads", script), scriptPath, overwrite: true);
        var psi = new ProcessStartInfo("runuser") { UseShellExecute = false };
        foreach (var a in new[] { "-u", user, "--", "perl", scriptPath, Path.Combine(dir, name + ".log") }.Concat(extra))
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>
    /// Waits until the load has written its first lines (perl under runuser starts slowly on a loaded machine), so a
    /// watcher started next measures a span the log covers.
    /// </summary>
    public static async Task WaitUntilLoggingAsync(string log, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ReadLog(log).Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the load log {log} has no lines after {timeout.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The load's CPU use in % of one core between two wall-clock times, interpolated from its log; waits (up to 10 s)
    /// for the log to pass <paramref name="to"/>, since a starved load may log the last point late.
    /// </summary>
    public static async Task<double> TruePercentAsync(string log, double from, double to)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var points = ReadLog(log);
        while ((points.Count == 0 || points[^1].T <= to) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            points = ReadLog(log);
        }
        Assert.True(points.Count > 4, $"the load log {log} has only {points.Count} lines");
        Assert.True(points[0].T < from, $"the load log {log} starts at {points[0].T:0.000}, after the measured span {from:0.000}..{to:0.000}");
        Assert.True(points[^1].T > to, $"the load log {log} ends at {points[^1].T:0.000}, before the end of the measured span {from:0.000}..{to:0.000}");
        return (At(points, to) - At(points, from)) / (to - from) * 100;
    }

    private static List<(double T, double Cpu)> ReadLog(string log)
    {
        if (!File.Exists(log))
            return [];
        // The last line may be half written while the load runs.
        return File.ReadAllLines(log).Select(l => l.Split(' '))
            .Where(f => f.Length == 2 && f[1].Length > 0)
            .Select(f => (T: double.Parse(f[0], CultureInfo.InvariantCulture), Cpu: double.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToList();
    }

    private static double At(List<(double T, double Cpu)> points, double t)
    {
        var i = points.FindIndex(p => p.T >= t);
        var (a, b) = (points[i - 1], points[i]);
        return a.Cpu + (b.Cpu - a.Cpu) * (t - a.T) / (b.T - a.T);
    }

    public static void Stop(Process p)
    {
        try
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
