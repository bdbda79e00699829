using System.Buffers.Text;
using System.Text;
using ClusterWatch.Core.Sources.Proc;

namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>What the proc script says once per connection.</summary>
public sealed record ProcHeader(double ClockTicksPerSecond, long PageSize, bool HidePid, int Uid, string BootId, int CpuCount);

/// <summary>One process line of a remote snapshot (comm decoded).</summary>
public readonly record struct RemoteStat(ProcStat Stat, string Comm);

/// <summary>The node-wide part of one remote snapshot.</summary>
public readonly record struct RemoteTotals(double UptimeSeconds, CpuTimes Cpu, long MemTotalBytes, long MemAvailableBytes);

/// <summary>
/// Pure parsers for the proc script's answers (see <see cref="ProcScript"/>); every field goes through the same
/// parsers as the local /proc reader (<see cref="ProcParsers"/>).
/// </summary>
public static class SshProcParser
{
    /// <summary>The body of an answer: what follows its "S N" line (earlier bytes are a late answer to a timed-out request).</summary>
    public static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> block, int seq)
    {
        var marker = Encoding.ASCII.GetBytes($"S {seq}");
        var at = Transport.RemoteCommand.FindLine(block, marker, 0);
        if (at < 0)
            throw new FormatException($"answer {seq} has no start line");
        return block[(at + marker.Length + 1)..];
    }

    public static ProcHeader ParseHeader(ReadOnlySpan<byte> body)
    {
        var nl = body.IndexOf((byte)'\n');
        var first = Encoding.ASCII.GetString(nl < 0 ? body : body[..nl]).Split(' ');
        if (first.Length < 6 || first[0] != "H")
            throw new FormatException($"unexpected first line from the proc script: '{string.Join(' ', first)}'");
        var tck = double.Parse(first[1], System.Globalization.CultureInfo.InvariantCulture);
        var page = long.Parse(first[2], System.Globalization.CultureInfo.InvariantCulture);
        var cpuLines = nl < 0 ? default : body[(nl + 1)..];
        // CountCpus looks for "\ncpuN": prefix a newline so the first line counts like the rest.
        var cpus = ProcParsers.CountCpus([(byte)'\n', .. cpuLines]);
        return new ProcHeader(tck > 0 ? tck : 100, page > 0 ? page : 4096, first[3] == "1",
            int.Parse(first[4], System.Globalization.CultureInfo.InvariantCulture), first[5], Math.Max(1, cpus));
    }

    /// <summary>
    /// Parses a snapshot body: uptime, cpu line, three meminfo lines, then /proc/PID/stat lines into
    /// <paramref name="processes"/> (cleared first). Returns false when a node-wide line is unreadable.
    /// A comm holding a newline splits its stat line in two; the halves are joined again.
    /// </summary>
    public static bool TryParseSnapshot(ReadOnlySpan<byte> body, out RemoteTotals totals, List<RemoteStat> processes, out int unreadable)
    {
        totals = default;
        unreadable = 0;
        processes.Clear();
        if (!NextLine(ref body, out var uptime) || !ProcParsers.TryParseUptime(uptime, out var up))
            return false;
        if (!NextLine(ref body, out var cpuLine) || !ProcParsers.TryParseCpuLine(cpuLine, out var cpu))
            return false;
        var memStart = body;
        var memLength = 0;
        for (var i = 0; i < 3 && NextLine(ref body, out var l); i++)
            memLength += l.Length + 1;
        if (!ProcParsers.TryParseMemInfo(memStart[..Math.Min(memLength, memStart.Length)], out var total, out var avail))
            return false;
        totals = new RemoteTotals(up, cpu, total, avail);
        while (NextLine(ref body, out var line))
        {
            if (line.IsEmpty)
                continue; // no process visible at all: the script still prints the (empty) list's line
            if (ProcParsers.TryParseStat(line, out var stat, out var comm))
            {
                processes.Add(new RemoteStat(stat, ProcParsers.DecodeName(comm)));
                continue;
            }
            var joined = TryJoin(line, ref body, processes);
            if (!joined)
                unreadable++;
        }
        return true;
    }

    /// <summary>Uids from a "u" answer: "==> /proc/PID/status <==" headers (several files) or one file for <paramref name="single"/>.</summary>
    public static void ParseUids(ReadOnlySpan<byte> body, int single, Dictionary<int, int> uids)
    {
        var pid = single;
        while (NextLine(ref body, out var line))
        {
            if (line.StartsWith("==> /proc/"u8))
            {
                var rest = line["==> /proc/"u8.Length..];
                pid = Utf8Parser.TryParse(rest, out int p, out _) ? p : -1;
            }
            else if (line.StartsWith("Uid:"u8) && pid > 0)
                uids[pid] = ProcParsers.ParseStatusRealUid(line);
        }
    }

    private static bool TryJoin(scoped ReadOnlySpan<byte> line, ref ReadOnlySpan<byte> body, List<RemoteStat> processes)
    {
        var probe = body;
        Span<byte> joined = stackalloc byte[1024];
        var length = 0;
        if (line.Length >= joined.Length)
            return false;
        line.CopyTo(joined);
        length = line.Length;
        for (var extra = 0; extra < 15 && NextLine(ref probe, out var next); extra++)
        {
            if (length + 1 + next.Length > joined.Length)
                return false;
            joined[length++] = (byte)'\n';
            next.CopyTo(joined[length..]);
            length += next.Length;
            if (ProcParsers.TryParseStat(joined[..length], out var stat, out var comm))
            {
                processes.Add(new RemoteStat(stat, ProcParsers.DecodeName(comm)));
                body = probe;
                return true;
            }
        }
        return false;
    }

    private static bool NextLine(ref ReadOnlySpan<byte> text, out ReadOnlySpan<byte> line)
    {
        if (text.IsEmpty)
        {
            line = default;
            return false;
        }
        var nl = text.IndexOf((byte)'\n');
        line = nl < 0 ? text : text[..nl];
        text = nl < 0 ? default : text[(nl + 1)..];
        return true;
    }
}
