using System.Diagnostics;
using System.Globalization;

namespace ClusterWatch.IntegrationTests.Infrastructure;

/// <summary>
/// Test users and known loads. Each load logs "wall_time cpu_seconds" four times a second, where cpu_seconds is its
/// own rusage including reaped children (perl's times()): the truth the watcher is compared with.
/// </summary>
public static class LoadUsers
{
    /// <summary>Busy 50 ms, sleep 50 ms: about half a core.</summary>
    public const string Steady = """
        use strict; use Time::HiRes qw(time sleep);
        open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
        my $duty = $ARGV[1] // 0.5; my $next = 0;
        while (1) {
          my $t = time; while (time - $t < 0.1 * $duty) {}
          sleep(0.1 * (1 - $duty));
          if (time >= $next) { my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; $next = time + 0.25; }
        }
        """;

    /// <summary>Every ~200 ms a child that burns ~40 ms of CPU and exits: never alive at two samples.</summary>
    public const string ShortChildren = """
        use strict; use Time::HiRes qw(time sleep); use POSIX ();
        open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
        my $next = 0;
        while (1) {
          my $start = time;
          my $pid = fork();
          if (defined $pid && $pid == 0) { my @c; do { @c = times; } while ($c[0] + $c[1] < 0.04); POSIX::_exit(0); }
          waitpid($pid, 0);
          if (time >= $next) { my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3]; $next = time + 0.25; }
          my $rest = 0.2 - (time - $start); sleep($rest) if $rest > 0;
        }
        """;

    /// <summary>
    /// Over and over: a parent starts a job burning CPU for ~2 s and exits just before it, so the job is orphaned
    /// and reaped by init or a subreaper in the same interval as its parent's end (how killed job trees end).
    /// </summary>
    public const string Orphans = """
        use strict; use Time::HiRes qw(time sleep); use POSIX ();
        open(my $log, '>', $ARGV[0]) or die; select((select($log), $| = 1)[0]);
        while (1) {
          my $p = fork();
          if (defined $p && $p == 0) {
            my $c = fork();
            if (defined $c && $c == 0) { my $t = time; while (time - $t < 2.05) {} POSIX::_exit(0); }
            sleep(2.0); POSIX::_exit(0);
          }
          waitpid($p, 0);
          my @c = times; printf $log "%.3f %.4f\n", time, $c[0]+$c[1]+$c[2]+$c[3];
          sleep(0.5);
        }
        """;

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Creates the user if it does not exist (needs root).</summary>
    public static void Ensure(string user)
    {
        if (Run("id", "-u", user) == 0)
            return;
        Assert.Equal(0, Run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user));
    }

    /// <summary>Starts a perl load as <paramref name="user"/>; returns the process (runuser → perl).</summary>
    public static Process Start(string user, string script, string dir, string name, params string[] extra)
    {
        var scriptPath = Path.Combine(dir, name + ".pl");
        File.WriteAllText(scriptPath, script);
        var psi = new ProcessStartInfo("runuser") { UseShellExecute = false };
        foreach (var a in new[] { "-u", user, "--", "perl", scriptPath, Path.Combine(dir, name + ".log") }.Concat(extra))
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>The load's CPU use in % of one core between two wall-clock times, interpolated from its log.</summary>
    public static double TruePercent(string log, double from, double to)
    {
        var points = File.ReadAllLines(log).Select(l => l.Split(' '))
            .Where(f => f.Length == 2)
            .Select(f => (T: double.Parse(f[0], CultureInfo.InvariantCulture), Cpu: double.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.True(points.Count > 4 && points[0].T < from && points[^1].T > to, $"the load log {log} does not cover {from}..{to}");
        return (At(points, to) - At(points, from)) / (to - from) * 100;
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
