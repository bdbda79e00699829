using System.Globalization;
using System.Text.Json;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage.Spool;

/// <summary>
/// A sample's spool entry, <c>{"Sample":{…}}</c>, written field by field: the JSON the serializer writes with
/// <see cref="SpoolFile"/>'s options (same names, numbers and escaping; NaN and ±Infinity as strings, which the reader's
/// AllowNamedFloatingPointLiterals takes back), but without its per-object metadata walk and without ProcessUsage's two
/// computed properties (TotalCpuPct, ItemKey: a string built per process), which the reader ignores. A sample of 500
/// processes is ~100 KB and every sample is encoded as it is taken, so this is the spool's hot path.
/// </summary>
internal static class SpoolSampleJson
{
    private static readonly JsonEncodedText Sample = JsonEncodedText.Encode("Sample");
    private static readonly JsonEncodedText Node = JsonEncodedText.Encode("Node");
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("Seq");
    private static readonly JsonEncodedText Time = JsonEncodedText.Encode("Time");
    private static readonly JsonEncodedText IntervalSeconds = JsonEncodedText.Encode("IntervalSeconds");
    private static readonly JsonEncodedText CpuBusyPct = JsonEncodedText.Encode("CpuBusyPct");
    private static readonly JsonEncodedText MemUsedBytes = JsonEncodedText.Encode("MemUsedBytes");
    private static readonly JsonEncodedText MemTotalBytes = JsonEncodedText.Encode("MemTotalBytes");
    private static readonly JsonEncodedText CpuCount = JsonEncodedText.Encode("CpuCount");
    private static readonly JsonEncodedText ProcessCount = JsonEncodedText.Encode("ProcessCount");
    private static readonly JsonEncodedText UnattributedCpuPct = JsonEncodedText.Encode("UnattributedCpuPct");
    private static readonly JsonEncodedText Flags = JsonEncodedText.Encode("Flags");
    private static readonly JsonEncodedText Users = JsonEncodedText.Encode("Users");
    private static readonly JsonEncodedText Processes = JsonEncodedText.Encode("Processes");
    private static readonly JsonEncodedText User = JsonEncodedText.Encode("User");
    private static readonly JsonEncodedText Uid = JsonEncodedText.Encode("Uid");
    private static readonly JsonEncodedText CpuPct = JsonEncodedText.Encode("CpuPct");
    private static readonly JsonEncodedText OwnCpuPct = JsonEncodedText.Encode("OwnCpuPct");
    private static readonly JsonEncodedText ChildrenCpuPct = JsonEncodedText.Encode("ChildrenCpuPct");
    private static readonly JsonEncodedText RssBytes = JsonEncodedText.Encode("RssBytes");
    private static readonly JsonEncodedText MemPct = JsonEncodedText.Encode("MemPct");
    private static readonly JsonEncodedText Pid = JsonEncodedText.Encode("Pid");
    private static readonly JsonEncodedText StartTicks = JsonEncodedText.Encode("StartTicks");
    private static readonly JsonEncodedText Command = JsonEncodedText.Encode("Command");
    private static readonly JsonEncodedText State = JsonEncodedText.Encode("State");
    private static readonly JsonEncodedText HasBaseline = JsonEncodedText.Encode("HasBaseline");

    public static void Write(Utf8JsonWriter w, NodeSample s)
    {
        w.WriteStartObject();
        w.WriteStartObject(Sample);
        w.WriteString(Node, s.Node);
        w.WriteNumber(Seq, s.Seq);
        w.WriteString(Time, s.Time);
        Real(w, IntervalSeconds, s.IntervalSeconds);
        Real(w, CpuBusyPct, s.CpuBusyPct);
        w.WriteNumber(MemUsedBytes, s.MemUsedBytes);
        w.WriteNumber(MemTotalBytes, s.MemTotalBytes);
        w.WriteNumber(CpuCount, s.CpuCount);
        w.WriteNumber(ProcessCount, s.ProcessCount);
        Real(w, UnattributedCpuPct, s.UnattributedCpuPct);
        w.WriteNumber(Flags, (int)s.Flags);
        w.WriteStartArray(Users);
        foreach (var u in s.Users)
            WriteUser(w, u);
        w.WriteEndArray();
        w.WriteStartArray(Processes);
        foreach (var p in s.Processes)
            WriteProcess(w, p);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter w, UserUsage u)
    {
        w.WriteStartObject();
        w.WriteString(User, u.User);
        w.WriteNumber(Uid, u.Uid);
        Real(w, CpuPct, u.CpuPct);
        Real(w, OwnCpuPct, u.OwnCpuPct);
        Real(w, ChildrenCpuPct, u.ChildrenCpuPct);
        w.WriteNumber(RssBytes, u.RssBytes);
        Real(w, MemPct, u.MemPct);
        w.WriteNumber(ProcessCount, u.ProcessCount);
        w.WriteEndObject();
    }

    private static void WriteProcess(Utf8JsonWriter w, ProcessUsage p)
    {
        w.WriteStartObject();
        w.WriteNumber(Pid, p.Pid);
        w.WriteNumber(StartTicks, p.StartTicks);
        w.WriteNumber(Uid, p.Uid);
        w.WriteString(User, p.User);
        w.WriteString(Command, p.Command);
        var state = p.State;
        w.WriteString(State, new ReadOnlySpan<char>(in state));
        Real(w, CpuPct, p.CpuPct);
        Real(w, ChildrenCpuPct, p.ChildrenCpuPct);
        w.WriteNumber(RssBytes, p.RssBytes);
        Real(w, MemPct, p.MemPct);
        w.WriteBoolean(HasBaseline, p.HasBaseline);
        w.WriteEndObject();
    }

    /// <summary>What the serializer writes under AllowNamedFloatingPointLiterals: a number, or "NaN"/"Infinity"/"-Infinity".</summary>
    private static void Real(Utf8JsonWriter w, JsonEncodedText name, double v)
    {
        if (double.IsFinite(v))
            w.WriteNumber(name, v);
        else
            w.WriteString(name, v.ToString(CultureInfo.InvariantCulture));
    }
}
