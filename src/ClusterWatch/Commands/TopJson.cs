using System.Text.Json;
using ClusterWatch.Core.Sources.Top;

namespace ClusterWatch.Commands;

/// <summary>
/// What `clusterwatch parse` prints: every frame, its summary and processes in base units with unit suffixes in the
/// names (_bytes, _pct, _s), warnings and errors with their stable codes and line numbers. Absent values are omitted.
/// </summary>
internal static class TopJson
{
    public static void Write(Utf8JsonWriter w, TopParseResult result)
    {
        w.WriteStartObject();
        w.WriteBoolean("ok", result.Ok);
        w.WriteStartArray("frames");
        foreach (var f in result.Frames)
            Frame(w, f);
        w.WriteEndArray();
        Notes(w, "warnings", result.Warnings.Select(x => (x.Code, x.Line, x.Message)));
        Notes(w, "errors", result.Errors.Select(x => (x.Code, x.Line, x.Message)));
        w.WriteEndObject();
    }

    private static void Frame(Utf8JsonWriter w, TopFrame f)
    {
        w.WriteStartObject();
        w.WriteNumber("index", f.Index);
        w.WriteNumber("line", f.Line);
        w.WriteString("flavor", f.Flavor.ToString().ToLowerInvariant());
        w.WriteBoolean("use_for_cpu", f.UseForCpu);
        w.WriteStartArray("columns");
        foreach (var c in f.Columns)
            w.WriteStringValue(c);
        w.WriteEndArray();
        Summary(w, f.Summary);
        w.WriteStartArray("warnings");
        foreach (var x in f.Warnings)
            w.WriteStringValue(x.Code);
        w.WriteEndArray();
        w.WriteStartArray("processes");
        foreach (var r in f.Rows)
            Row(w, r);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter w, TopSummary s)
    {
        w.WriteStartObject("summary");
        Str(w, "layout", s.Layout);
        Str(w, "clock", s.Clock?.ToString("hh\\:mm\\:ss", System.Globalization.CultureInfo.InvariantCulture));
        if (s.LoadAvg is { } load)
        {
            w.WriteStartArray("load_avg");
            foreach (var v in load)
                w.WriteNumberValue(v);
            w.WriteEndArray();
        }
        Str(w, "tasks_label", s.TasksLabel);
        Num(w, "tasks_total", s.TasksTotal);
        Num(w, "running", s.Running);
        Num(w, "sleeping", s.Sleeping);
        Num(w, "stopped", s.Stopped);
        Num(w, "zombie", s.Zombie);
        w.WriteBoolean("threads_mode", s.ThreadsMode);
        Num(w, "cpu_us_pct", s.CpuUs);
        Num(w, "cpu_sy_pct", s.CpuSy);
        Num(w, "cpu_ni_pct", s.CpuNi);
        Num(w, "cpu_id_pct", s.CpuId);
        Num(w, "cpu_wa_pct", s.CpuWa);
        Num(w, "cpu_hi_pct", s.CpuHi);
        Num(w, "cpu_si_pct", s.CpuSi);
        Num(w, "cpu_st_pct", s.CpuSt);
        Num(w, "cpu_busy_pct_of_node", s.BusyPctOfNode);
        Str(w, "mem_unit", s.MemUnit);
        Bytes(w, "mem_total_bytes", s.MemTotalKib);
        Bytes(w, "mem_free_bytes", s.MemFreeKib);
        Bytes(w, "mem_used_bytes", s.MemUsedKib);
        Bytes(w, "mem_buff_cache_bytes", s.MemBuffCacheKib);
        Bytes(w, "mem_avail_bytes", s.MemAvailKib);
        w.WriteString("decimal_separator", s.DecimalSeparator.ToString());
        w.WriteEndObject();
    }

    private static void Row(Utf8JsonWriter w, TopRow r)
    {
        w.WriteStartObject();
        w.WriteNumber("line", r.Line);
        w.WriteNumber("pid", r.Pid);
        Num(w, "ppid", r.Ppid);
        w.WriteString("user", r.User);
        w.WriteBoolean("user_truncated", r.UserTruncated);
        if (r.UserMayBeTruncated)
            w.WriteBoolean("user_may_be_truncated", true);
        w.WriteBoolean("user_unresolved", r.UserUnresolved);
        if (r.Uid is { } uid)
            w.WriteNumber("uid", uid);
        else
            w.WriteNull("uid");
        w.WriteString("state", r.State.ToString());
        Bytes(w, "virt_bytes", r.VirtKib);
        Bytes(w, "res_bytes", r.ResKib);
        Bytes(w, "shr_bytes", r.ShrKib);
        Bytes(w, "vsz_bytes", r.VszKib);
        Num(w, "cpu_pct", r.CpuPct);
        Num(w, "cpu_pct_of_node", r.CpuPctOfNode);
        Num(w, "mem_pct", r.MemPct);
        Num(w, "time_s", r.TimeSeconds);
        w.WriteString("command", r.Command);
        w.WriteBoolean("command_truncated", r.CommandTruncated);
        Str(w, "comm", r.Comm);
        w.WriteEndObject();
    }

    private static void Notes(Utf8JsonWriter w, string name, IEnumerable<(string Code, int Line, string Message)> notes)
    {
        w.WriteStartArray(name);
        foreach (var (code, line, message) in notes)
        {
            w.WriteStartObject();
            w.WriteString("code", code);
            w.WriteNumber("line", line);
            w.WriteString("message", message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value != null)
            w.WriteString(name, value);
    }

    private static void Num(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
            w.WriteNumber(name, Math.Round(v, 6));
    }

    private static void Num(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
            w.WriteNumber(name, v);
    }

    private static void Bytes(Utf8JsonWriter w, string name, long? kib)
    {
        if (kib is { } k)
            w.WriteNumber(name, k * 1024);
    }
}
