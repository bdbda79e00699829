using System.Text.Json;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Tests.Sources.Top;

/// <summary>The shared cases, copied into Fixtures/cases: input with annotation lines dropped, expected.json as JSON.</summary>
internal static class CaseFiles
{
    public static string Dir(string id) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "cases", id);

    /// <summary>input.txt without its "###" annotation lines (cases/README.md).</summary>
    public static string Input(string id) =>
        string.Join('\n', File.ReadAllLines(Path.Combine(Dir(id), "input.txt")).Where(l => !l.StartsWith("###", StringComparison.Ordinal)));

    /// <summary>The "###"-separated blocks of input.txt (C11: each block is one node), by annotation text.</summary>
    public static List<(string Note, string Text)> Blocks(string id)
    {
        var blocks = new List<(string, string)>();
        string? note = null;
        var lines = new List<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(Dir(id), "input.txt")))
        {
            if (line.StartsWith("###", StringComparison.Ordinal))
            {
                if (note != null)
                    blocks.Add((note, string.Join('\n', lines)));
                note = line;
                lines.Clear();
            }
            else
                lines.Add(line);
        }
        if (note != null)
            blocks.Add((note, string.Join('\n', lines)));
        return blocks;
    }

    public static JsonElement Expected(string id) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir(id), "expected.json"))).RootElement;

    /// <summary>Checks every key of an expected process object against the parsed row.</summary>
    public static void AssertRow(JsonElement expected, TopRow row, string where)
    {
        foreach (var p in expected.EnumerateObject())
        {
            var at = $"{where} {p.Name}";
            switch (p.Name)
            {
                case "pid" or "tid": Assert.True(p.Value.GetInt32() == row.Pid, at); break;
                case "ppid": Assert.True(p.Value.GetInt32() == row.Ppid, at); break;
                case "user": Assert.Equal(p.Value.GetString(), row.User); break;
                case "user_truncated":
                    if (p.Value.ValueKind == JsonValueKind.String)
                        Assert.True(row.UserMayBeTruncated, at); // "unknown": busybox can't tell
                    else
                        Assert.True(p.Value.GetBoolean() == row.UserTruncated, at);
                    break;
                case "user_unresolved": Assert.True(p.Value.GetBoolean() == row.UserUnresolved, at); break;
                case "uid": Assert.True((p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.GetInt32()) == row.Uid, at); break;
                case "state": Assert.Equal(p.Value.GetString()![0], row.State); break;
                case "zombie": Assert.True(p.Value.GetBoolean() == row.Zombie, at); break;
                case "virt_kib": AssertLong(p.Value, row.VirtKib, at); break;
                case "res_kib": AssertLong(p.Value, row.ResKib, at); break;
                case "shr_kib": AssertLong(p.Value, row.ShrKib, at); break;
                case "vsz_kib": AssertLong(p.Value, row.VszKib, at); break;
                case "cpu_pct": AssertDouble(p.Value, row.CpuPct, at); break;
                case "cpu_pct_of_node" when row.CpuPctOfNode != null: AssertDouble(p.Value, row.CpuPctOfNode, at); break;
                case "mem_pct": AssertDouble(p.Value, row.MemPct, at); break;
                case "time_s": AssertDouble(p.Value, row.TimeSeconds, at); break;
                case "command": Assert.Equal(p.Value.GetString(), row.Command); break;
                case "command_truncated": Assert.True(p.Value.GetBoolean() == row.CommandTruncated, at); break;
                case "comm": Assert.Equal(p.Value.GetString(), row.Comm); break;
                case "cpu_cores" or "cpu_pct_of_node": break; // need the node's CPU count: checked by the scale tests
                default: Assert.Fail($"{at}: key not understood by the test"); break;
            }
        }
    }

    public static void AssertSummary(JsonElement expected, TopSummary s, string where)
    {
        foreach (var p in expected.EnumerateObject())
        {
            var at = $"{where} summary.{p.Name}";
            switch (p.Name)
            {
                case "layout": Assert.Equal(p.Value.GetString(), s.Layout); break;
                case "load_avg": Assert.Equal(p.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray(), s.LoadAvg); break;
                case "tasks_label": Assert.Equal(p.Value.GetString(), s.TasksLabel); break;
                case "tasks_total": Assert.True(p.Value.GetInt32() == s.TasksTotal, at); break;
                case "zombie": Assert.True(p.Value.GetInt32() == s.Zombie, at); break;
                case "threads_mode": Assert.True(p.Value.GetBoolean() == s.ThreadsMode, at); break;
                case "cpu_us" or "cpu_usr": AssertDouble(p.Value, s.CpuUs, at); break;
                case "cpu_sy": AssertDouble(p.Value, s.CpuSy, at); break;
                case "cpu_id" or "cpu_idle": AssertDouble(p.Value, s.CpuId, at); break;
                case "mem_unit": Assert.Equal(p.Value.GetString(), s.MemUnit); break;
                case "mem_total_kib": AssertLong(p.Value, s.MemTotalKib, at); break;
                case "mem_free_kib": AssertLong(p.Value, s.MemFreeKib, at); break;
                case "mem_used_kib": AssertLong(p.Value, s.MemUsedKib, at); break;
                case "mem_avail_kib": AssertLong(p.Value, s.MemAvailKib, at); break;
                case "decimal_separator": Assert.Equal(p.Value.GetString()![0], s.DecimalSeparator); break;
                default: Assert.Fail($"{at}: key not understood by the test"); break;
            }
        }
    }

    /// <summary>Checks a frame's keys, its summary and its processes (in input order).</summary>
    public static void AssertFrame(JsonElement expected, TopFrame frame)
    {
        var where = $"frame {frame.Index}";
        foreach (var p in expected.EnumerateObject())
        {
            switch (p.Name)
            {
                case "index": Assert.Equal(p.Value.GetInt32(), frame.Index); break;
                case "use_for_cpu": Assert.Equal(p.Value.GetBoolean(), frame.UseForCpu); break;
                case "flavor": Assert.Equal(p.Value.GetString(), frame.Flavor.ToString().ToLowerInvariant()); break;
                case "columns": Assert.Equal(p.Value.EnumerateArray().Select(v => v.GetString()!).ToArray(), frame.Columns); break;
                case "summary": AssertSummary(p.Value, frame.Summary, where); break;
                case "line_length_max": Assert.Equal(p.Value.GetInt32(), frame.Rows.Max(r => r.LineLength)); break;
                case "effective_width": Assert.True(frame.Rows.Max(r => r.LineLength) < p.Value.GetInt32()); break;
                case "processes":
                    var rows = p.Value.EnumerateArray().ToList();
                    Assert.Equal(rows.Count, frame.Rows.Count);
                    for (var i = 0; i < rows.Count; i++)
                        AssertRow(rows[i], frame.Rows[i], $"{where} row {i}");
                    break;
                default: Assert.Fail($"{where} {p.Name}: key not understood by the test"); break;
            }
        }
    }

    /// <summary>
    /// The listed codes must all be emitted; "[] = none" (cases/README.md). C14 lists no USER_NUMERIC although one of
    /// its rows is a numeric uid, so for a non-empty list extra codes are allowed.
    /// </summary>
    public static void AssertWarnings(JsonElement expected, TopParseResult result)
    {
        var codes = result.Warnings.Select(w => w.Code).ToHashSet(StringComparer.Ordinal);
        var required = expected.EnumerateArray().Select(w => w.GetString()!).ToList();
        if (required.Count == 0)
            Assert.Empty(codes);
        foreach (var code in required)
            Assert.Contains(code, codes);
    }

    private static void AssertLong(JsonElement e, long? actual, string at) =>
        Assert.True((e.ValueKind == JsonValueKind.Null ? null : e.GetInt64()) == actual, $"{at}: expected {e}, got {actual}");

    private static void AssertDouble(JsonElement e, double? actual, string at)
    {
        if (e.ValueKind == JsonValueKind.Null)
            Assert.True(actual == null, at);
        else
            Assert.True(actual is { } a && Math.Abs(a - e.GetDouble()) < 1e-9, $"{at}: expected {e}, got {actual}");
    }
}
