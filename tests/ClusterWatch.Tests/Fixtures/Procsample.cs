using System.Globalization;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Tests.Fixtures;

/// <summary>
/// Reads the cases' `procsample` text (cases/README.md) into one NodeSnapshot per time t. The node's uptime is
/// <see cref="UptimeBase"/> + t, so a process whose start time lies before that is not "started inside the interval".
/// </summary>
internal static class Procsample
{
    public const double UptimeBase = 100_000;

    public static string Case(string id, string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cases", id, file));

    public static (int Ncpu, double ClkTck, List<NodeSnapshot> Snapshots) Parse(string text, Func<double, double>? busySecondsAt = null)
    {
        int ncpu = 1;
        double tck = 100;
        var byTime = new SortedDictionary<double, List<RawProcess>>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("# procsample", StringComparison.Ordinal))
            {
                var h = Pairs(line[12..]);
                ncpu = int.Parse(h["ncpu"], CultureInfo.InvariantCulture);
                tck = double.Parse(h["clk_tck"], CultureInfo.InvariantCulture);
                continue;
            }
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var f = Pairs(line);
            var t = double.Parse(f["t"], CultureInfo.InvariantCulture);
            long L(string k) => f.TryGetValue(k, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : 0;
            var p = new RawProcess(
                (int)L("pid"), f.TryGetValue("ppid", out var pp) ? int.Parse(pp, CultureInfo.InvariantCulture) : 1, L("starttime"),
                (int)L("uid"), f["user"], f["comm"], 'R',
                (L("utime") + L("stime")) / tck, (L("cutime") + L("cstime")) / tck, L("rss_kib") * 1024);
            if (!byTime.TryGetValue(t, out var list))
                byTime[t] = list = new List<RawProcess>();
            list.Add(p);
        }
        var snaps = byTime.Select(kv => Snapshot(kv.Key, kv.Value.ToArray(), ncpu, tck, busySecondsAt?.Invoke(kv.Key) ?? 0)).ToList();
        return (ncpu, tck, snaps);
    }

    public static NodeSnapshot Snapshot(double t, RawProcess[] processes, int ncpu, double tck = 100, double busySeconds = 0, string boot = "boot-1") =>
        new("node01", boot, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + (long)t), UptimeBase + t, ncpu,
            busySeconds, (UptimeBase + t) * ncpu, 16L << 30, 8L << 30, processes, processes.Length, ClockTicksPerSecond: tck);

    private static Dictionary<string, string> Pairs(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
}
