using System.Globalization;
using System.Text;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4) for a <see cref="MetricsSnapshot"/>. Pure: the same
/// input gives the same bytes (nodes, users and processes in a fixed order), so a golden file can hold the output.
/// Cardinality is bounded: per node at most <c>topN</c> users and <c>topN</c> processes get their own series, the
/// rest are summed into one <c>(other)</c> series. Units are Prometheus base units (cores, bytes, seconds).
/// </summary>
public static class PrometheusWriter
{
    /// <summary>Label value of the summed series for everything outside the top N.</summary>
    public const string Other = "(other)";

    public static string Write(MetricsSnapshot snapshot, int topN)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topN, 1);
        var w = new Writer();
        var nodes = snapshot.Nodes.OrderBy(n => n.Node, StringComparer.Ordinal).ToList();
        var withSample = nodes.Where(n => n.LastSample != null).ToList();

        if (!snapshot.FromStore)
        {
            w.Family("clusterwatch_watcher_start_time_seconds", "gauge", "When the watcher started, Unix time.");
            w.Line("clusterwatch_watcher_start_time_seconds", [], snapshot.StartedAt.ToUnixTimeMilliseconds() / 1000.0);
        }

        w.Family("clusterwatch_node_up", "gauge", "1 if the node's last sample attempt succeeded (state up or partial), else 0.");
        foreach (var n in nodes)
            w.Line("clusterwatch_node_up", [("node", n.Node)], n.State is NodeState.Up or NodeState.Partial ? 1 : 0);
        w.Family("clusterwatch_node_state", "gauge", "The node's state as a label (up, down, partial, auth-failed, ...); always 1.");
        foreach (var n in nodes)
            w.Line("clusterwatch_node_state", [("node", n.Node), ("state", n.State?.ToText() ?? "unknown")], 1);

        NodeGauge(w, withSample, "clusterwatch_node_cpus", "Online CPUs of the node.", s => s.CpuCount);
        NodeGauge(w, withSample, "clusterwatch_node_cpu_busy_cores", "Busy CPU of the node over the last interval (/proc/stat), in cores.", s => s.CpuBusyPct / 100);
        NodeGauge(w, withSample, "clusterwatch_node_cpu_unattributed_cores", "Busy CPU not attributed to any process or reaped child, in cores.", s => s.UnattributedCpuPct / 100);
        NodeGauge(w, withSample, "clusterwatch_node_memory_used_bytes", "MemTotal - MemAvailable of the node.", s => s.MemUsedBytes);
        NodeGauge(w, withSample, "clusterwatch_node_memory_total_bytes", "MemTotal of the node.", s => s.MemTotalBytes);
        NodeGauge(w, withSample, "clusterwatch_node_processes", "Processes seen at the last sample.", s => s.ProcessCount);
        NodeGauge(w, withSample, "clusterwatch_node_last_sample_timestamp_seconds", "End of the last sampled interval, Unix time.", s => s.Time.ToUnixTimeSeconds());

        var users = withSample.Select(n => (n.Node, Rows: TopUsers(n.LastSample!, topN))).ToList();
        UserGauge(w, users, "clusterwatch_user_cpu_cores", "CPU of the user's processes plus reaped children over the last interval, in cores (top N users per node, rest in user=\"(other)\").", u => u.CpuPct / 100);
        UserGauge(w, users, "clusterwatch_user_memory_rss_bytes", "Sum of the RSS of the user's processes (shared pages count once per process).", u => u.RssBytes);
        UserGauge(w, users, "clusterwatch_user_processes", "Processes of the user at the last sample.", u => u.ProcessCount);

        if (!snapshot.FromStore)
        {
            w.Family("clusterwatch_user_cpu_seconds_total", "counter", "CPU seconds used by the user's processes and reaped children since the watcher started (top N users per node by this total, rest in user=\"(other)\").");
            foreach (var n in nodes)
                foreach (var (user, seconds) in TopTotals(n.UserCpuSecondsTotal, topN))
                    w.Line("clusterwatch_user_cpu_seconds_total", [("node", n.Node), ("user", user)], seconds);
        }

        var procs = withSample.Select(n => (n.Node, Rows: TopProcesses(n.LastSample!, topN))).ToList();
        w.Family("clusterwatch_process_cpu_cores", "gauge", "CPU of one process (own + reaped children) over the last interval, in cores; top N per node, rest in command=\"(other)\".");
        foreach (var (node, rows) in procs)
            foreach (var p in rows)
                w.Line("clusterwatch_process_cpu_cores", ProcessLabels(node, p), p.TotalCpuPct / 100);
        w.Family("clusterwatch_process_memory_rss_bytes", "gauge", "RSS of one process; the same top N per node, rest in command=\"(other)\".");
        foreach (var (node, rows) in procs)
            foreach (var p in rows)
                w.Line("clusterwatch_process_memory_rss_bytes", ProcessLabels(node, p), p.RssBytes);

        if (!snapshot.FromStore)
            WatcherHealth(w, nodes);
        return w.ToString();
    }

    /// <summary>The watcher's sampling health: attempts, durations, vanished processes (only a watcher's memory holds them).</summary>
    private static void WatcherHealth(Writer w, List<NodeMetrics> nodes)
    {
        w.Family("clusterwatch_node_samples_total", "counter", "Sample attempts of the node since the watcher started, by result (ok, failed).");
        foreach (var n in nodes)
        {
            w.Line("clusterwatch_node_samples_total", [("node", n.Node), ("result", "failed")], n.SamplesFailed);
            w.Line("clusterwatch_node_samples_total", [("node", n.Node), ("result", "ok")], n.SamplesOk);
        }
        w.Family("clusterwatch_node_sample_duration_seconds", "gauge", "How long the node's last sample attempt took.");
        foreach (var n in nodes)
            w.Line("clusterwatch_node_sample_duration_seconds", [("node", n.Node)], n.LastDurationSeconds);
        w.Family("clusterwatch_node_vanished_processes_total", "counter", "Processes that ended while being read (normal, not an error).");
        foreach (var n in nodes)
            w.Line("clusterwatch_node_vanished_processes_total", [("node", n.Node)], n.VanishedTotal);
    }

    private static void NodeGauge(Writer w, List<NodeMetrics> nodes, string name, string help, Func<NodeSample, double> value)
    {
        w.Family(name, "gauge", help);
        foreach (var n in nodes)
            w.Line(name, [("node", n.Node)], value(n.LastSample!));
    }

    private static void UserGauge(Writer w, List<(string Node, List<UserUsage> Rows)> users, string name, string help, Func<UserUsage, double> value)
    {
        w.Family(name, "gauge", help);
        foreach (var (node, rows) in users)
            foreach (var u in rows)
                w.Line(name, [("node", node), ("user", u.User)], value(u));
    }

    private static (string, string)[] ProcessLabels(string node, ProcessUsage p) =>
        p.Command == Other && p.Pid == 0
            ? [("node", node), ("pid", ""), ("user", ""), ("command", Other)]
            : [("node", node), ("pid", p.Pid.ToString(CultureInfo.InvariantCulture)), ("user", p.User), ("command", p.Command)];

    /// <summary>The top N users by CPU then RSS (then name), plus one "(other)" row summing the rest when there is a rest.</summary>
    internal static List<UserUsage> TopUsers(NodeSample s, int topN)
    {
        var ordered = s.Users.OrderByDescending(u => u.CpuPct).ThenByDescending(u => u.RssBytes).ThenBy(u => u.User, StringComparer.Ordinal).ToList();
        var top = ordered.Take(topN).ToList();
        var rest = ordered.Skip(topN).ToList();
        if (rest.Count > 0)
            top.Add(new UserUsage(Other, -1, rest.Sum(u => u.CpuPct), rest.Sum(u => u.OwnCpuPct), rest.Sum(u => u.ChildrenCpuPct),
                rest.Sum(u => u.RssBytes), rest.Sum(u => u.MemPct), rest.Sum(u => u.ProcessCount)));
        return top;
    }

    /// <summary>
    /// The top N processes by CPU then RSS (then pid), plus one "(other)" row summing the rest. A stored sample's pid-0
    /// rows (each user's processes the volume rule folded together) are no process of their own: they go into "(other)".
    /// </summary>
    internal static List<ProcessUsage> TopProcesses(NodeSample s, int topN)
    {
        var ordered = s.Processes.Where(p => p.Pid != 0).OrderByDescending(p => p.TotalCpuPct).ThenByDescending(p => p.RssBytes).ThenBy(p => p.Pid).ToList();
        var top = ordered.Take(topN).ToList();
        var rest = ordered.Skip(topN).Concat(s.Processes.Where(p => p.Pid == 0)).ToList();
        if (rest.Count > 0)
            top.Add(new ProcessUsage(0, 0, -1, "", Other, ' ', rest.Sum(p => p.CpuPct), rest.Sum(p => p.ChildrenCpuPct),
                rest.Sum(p => p.RssBytes), rest.Sum(p => p.MemPct)));
        return top;
    }

    /// <summary>
    /// Counters by user: the N largest totals, and "(other)" = the sum of the rest. Ranking by the cumulative total keeps
    /// the set stable; when a user enters the top N, "(other)" drops by that user's total (Prometheus sees a reset).
    /// </summary>
    internal static List<(string User, double Seconds)> TopTotals(IReadOnlyDictionary<string, double> totals, int topN)
    {
        var ordered = totals.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var top = ordered.Take(topN).Select(kv => (kv.Key, kv.Value)).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        if (ordered.Count > topN)
            top.Add((Other, ordered.Skip(topN).Sum(kv => kv.Value)));
        return top;
    }

    /// <summary>Label value escaping of the text format: backslash, double quote and line feed.</summary>
    public static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>A sample value: shortest round-trip form; NaN and infinities as the format spells them.</summary>
    public static string FormatValue(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Writer
    {
        private readonly StringBuilder _sb = new();

        public void Family(string name, string type, string help) =>
            _sb.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
               .Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

        public void Line(string name, (string Name, string Value)[] labels, double value)
        {
            _sb.Append(name);
            if (labels.Length > 0)
            {
                _sb.Append('{');
                for (var i = 0; i < labels.Length; i++)
                    _sb.Append(i == 0 ? "" : ",").Append(labels[i].Name).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
                _sb.Append('}');
            }
            _sb.Append(' ').Append(FormatValue(value)).Append('\n');
        }

        public override string ToString() => _sb.ToString();
    }
}
