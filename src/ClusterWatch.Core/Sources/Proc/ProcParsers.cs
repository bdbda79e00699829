using System.Buffers.Text;
using System.Text;

namespace ClusterWatch.Core.Sources.Proc;

/// <summary>The fields of /proc/PID/stat that ClusterWatch uses, in clock ticks and pages as the kernel gives them.</summary>
public readonly record struct ProcStat(
    int Pid,
    int ParentPid,
    char State,
    long UTime,
    long STime,
    long CUTime,
    long CSTime,
    long StartTicks,
    long RssPages);

/// <summary>/proc/stat's aggregate "cpu" line, in clock ticks.</summary>
public readonly record struct CpuTimes(long Busy, long Total);

/// <summary>
/// Pure parsers for the /proc files ClusterWatch reads. They take the raw bytes, do no I/O, and serve the local
/// reader and the SSH source alike.
/// </summary>
public static class ProcParsers
{
    /// <summary>
    /// Parses /proc/PID/stat. comm is the text between the first '(' and the <b>last</b> ')': a process may name
    /// itself "a) b (c" and the kernel does not escape it.
    /// </summary>
    public static bool TryParseStat(ReadOnlySpan<byte> line, out ProcStat stat, out ReadOnlySpan<byte> comm)
    {
        stat = default;
        comm = default;
        var open = line.IndexOf((byte)'(');
        var close = line.LastIndexOf((byte)')');
        if (open <= 0 || close < open)
            return false;
        if (!Utf8Parser.TryParse(line[..open].Trim((byte)' '), out int pid, out _))
            return false;
        comm = line[(open + 1)..close];
        var rest = line[(close + 1)..];
        // Fields after comm: 3 state, 4 ppid, …, 14 utime, 15 stime, 16 cutime, 17 cstime, 22 starttime, 24 rss.
        Span<long> f = stackalloc long[25];
        char state = '?';
        var field = 3;
        while (field <= 24)
        {
            rest = rest.TrimStart((byte)' ');
            if (rest.IsEmpty)
                return false;
            var end = rest.IndexOf((byte)' ');
            var token = end < 0 ? rest : rest[..end];
            if (field == 3)
                state = (char)token[0];
            else if (field is 4 or (>= 14 and <= 17) or 22 or 24)
            {
                if (!Utf8Parser.TryParse(token, out long v, out var used) || used != token.Length)
                    return false;
                f[field] = v;
            }
            field++;
            rest = end < 0 ? default : rest[(end + 1)..];
        }
        stat = new ProcStat(pid, (int)f[4], state, f[14], f[15], f[16], f[17], f[22], f[24]);
        return true;
    }

    /// <summary>The real uid: the first number of the "Uid:" line of /proc/PID/status; -1 if absent.</summary>
    public static int ParseStatusRealUid(ReadOnlySpan<byte> status)
    {
        var at = status.IndexOf("\nUid:"u8);
        if (at < 0)
            return status.StartsWith("Uid:"u8) ? ParseFirstNumber(status[4..]) : -1;
        return ParseFirstNumber(status[(at + 5)..]);
    }

    /// <summary>The "cpu " line of /proc/stat: busy = total − idle − iowait; guest time is already inside user time.</summary>
    public static bool TryParseCpuLine(ReadOnlySpan<byte> procStat, out CpuTimes times)
    {
        times = default;
        if (!procStat.StartsWith("cpu "u8))
            return false;
        var nl = procStat.IndexOf((byte)'\n');
        var line = nl < 0 ? procStat[4..] : procStat[4..nl];
        Span<long> v = stackalloc long[10];
        var n = 0;
        while (n < 10)
        {
            line = line.TrimStart((byte)' ');
            if (line.IsEmpty)
                break;
            if (!Utf8Parser.TryParse(line, out long x, out var used))
                return false;
            v[n++] = x;
            line = line[used..];
        }
        if (n < 4)
            return false;
        // user nice system idle iowait irq softirq steal [guest guest_nice]: guest is counted in user already.
        long total = 0;
        for (var i = 0; i < Math.Min(n, 8); i++)
            total += v[i];
        var idle = v[3] + (n > 4 ? v[4] : 0);
        times = new CpuTimes(total - idle, total);
        return true;
    }

    /// <summary>Counts the "cpuN" lines of /proc/stat (online CPUs).</summary>
    public static int CountCpus(ReadOnlySpan<byte> procStat)
    {
        var count = 0;
        var rest = procStat;
        while (true)
        {
            var at = rest.IndexOf("\ncpu"u8);
            if (at < 0)
                return count;
            rest = rest[(at + 4)..];
            if (!rest.IsEmpty && rest[0] is >= (byte)'0' and <= (byte)'9')
                count++;
        }
    }

    /// <summary>MemTotal and MemAvailable of /proc/meminfo, in bytes.</summary>
    public static bool TryParseMemInfo(ReadOnlySpan<byte> meminfo, out long totalBytes, out long availableBytes)
    {
        totalBytes = KiBField(meminfo, "MemTotal:"u8) * 1024;
        availableBytes = KiBField(meminfo, "MemAvailable:"u8) * 1024;
        if (availableBytes < 0)
        {
            // Kernels before 3.14 have no MemAvailable: free + buffers + cached is the usual estimate.
            var free = KiBField(meminfo, "MemFree:"u8);
            var buffers = KiBField(meminfo, "Buffers:"u8);
            var cached = KiBField(meminfo, "Cached:"u8);
            availableBytes = free < 0 ? -1 : (free + Math.Max(0, buffers) + Math.Max(0, cached)) * 1024;
        }
        return totalBytes > 0 && availableBytes >= 0;
    }

    /// <summary>The first field of /proc/uptime, seconds since boot (the node's monotonic clock).</summary>
    public static bool TryParseUptime(ReadOnlySpan<byte> uptime, out double seconds)
    {
        var sp = uptime.IndexOf((byte)' ');
        var token = sp < 0 ? uptime.TrimEnd((byte)'\n') : uptime[..sp];
        return Utf8Parser.TryParse(token, out seconds, out var used) && used == token.Length && seconds >= 0;
    }

    /// <summary>Decodes a command name; invalid UTF-8 bytes become U+FFFD, never an error.</summary>
    public static string DecodeName(ReadOnlySpan<byte> name) => Encoding.UTF8.GetString(name);

    private static long KiBField(ReadOnlySpan<byte> text, ReadOnlySpan<byte> label)
    {
        var at = text.IndexOf(label);
        if (at < 0 || (at > 0 && text[at - 1] != (byte)'\n'))
            return -1;
        return ParseFirstLong(text[(at + label.Length)..]);
    }

    private static int ParseFirstNumber(ReadOnlySpan<byte> text) => (int)Math.Min(int.MaxValue, ParseFirstLong(text));

    private static long ParseFirstLong(ReadOnlySpan<byte> text)
    {
        text = text.TrimStart(" \t"u8);
        return Utf8Parser.TryParse(text, out long v, out _) ? v : -1;
    }
}
