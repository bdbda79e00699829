namespace ClusterWatch.Core.Sources.Top;

/// <summary>
/// Reads one row of a frame by its header's columns. Allocation-light: tokens are spans, and user and command names
/// come from a pool so a long capture holds each distinct name once.
/// </summary>
internal sealed class TopRowParser(StringPool pool)
{
    /// <summary>Parses <paramref name="line"/>; null with an error message naming the column when it can't be read.</summary>
    public TopRow? Parse(ReadOnlySpan<char> line, int lineNo, TopLayout layout, out string? error)
    {
        error = null;
        var kinds = layout.Kinds;
        var pos = 0;
        int pid = 0, ppid = -1;
        string user = "";
        char state = '?';
        long? virt = null, res = null, shr = null, vsz = null;
        double? cpu = null, mem = null, time = null;
        for (var i = 0; i < layout.CommandIndex; i++)
        {
            var token = NextToken(line, ref pos);
            if (token.IsEmpty)
            {
                error = $"row ends before column {layout.Names[i]}";
                return null;
            }
            var ok = kinds[i] switch
            {
                TopColumn.Pid => TopNumbers.TryParseInt(token, out pid),
                TopColumn.Ppid => TopNumbers.TryParseInt(token, out ppid),
                TopColumn.User => (user = pool.Get(token)).Length > 0,
                TopColumn.State => (state = token[0]) != 0,
                TopColumn.Virt => TryKib(token, out virt),
                TopColumn.Res => TryKib(token, out res),
                TopColumn.Shr => TryKib(token, out shr),
                TopColumn.Vsz => TryKib(token, out vsz),
                TopColumn.Cpu => TryPct(token, out cpu),
                TopColumn.Mem => TryPct(token, out mem),
                TopColumn.Time => TryTime(token, out time),
                _ => true,
            };
            if (!ok)
            {
                error = $"'{token.ToString()}' is not a valid {layout.Names[i]} value";
                return null;
            }
        }
        var rest = line[pos..].Trim(' ');
        for (var k = 0; k < layout.AfterCommand; k++)
        {
            // Columns after COMMAND: single tokens taken from the end of the line.
            var cut = rest.LastIndexOf(' ');
            if (cut < 0)
            {
                error = $"row ends before column {layout.Names[layout.CommandIndex + 1 + k]}";
                return null;
            }
            rest = rest[..cut].TrimEnd(' ');
        }
        if (rest.IsEmpty)
        {
            error = "row has no COMMAND";
            return null;
        }
        string? comm = null;
        if (layout.Busybox && rest[0] == '{' && rest.IndexOf('}') is var close and > 0)
        {
            // busybox shows {comm} before the command line when they differ.
            comm = pool.Get(rest[1..close]);
            rest = rest[(close + 1)..].TrimStart(' ');
        }
        var userTruncated = !layout.Busybox && user.Length > 1 && user[^1] == '+';
        var numeric = TopNumbers.TryParseInt(user, out var uid);
        return new TopRow
        {
            Line = lineNo,
            Pid = pid,
            Ppid = layout.Busybox ? ppid : null,
            User = user,
            UserTruncated = userTruncated,
            UserMayBeTruncated = layout.Busybox && user.Length == 8 && !numeric,
            UserUnresolved = numeric,
            Uid = numeric ? uid : null,
            State = state,
            VirtKib = virt,
            ResKib = res,
            ShrKib = shr,
            VszKib = vsz,
            CpuPct = layout.Busybox ? null : cpu,
            CpuPctOfNode = layout.Busybox ? cpu : null,
            MemPct = mem,
            TimeSeconds = time,
            Command = pool.Get(rest),
            Comm = comm,
            LineLength = line.Length,
        };
    }

    private static ReadOnlySpan<char> NextToken(ReadOnlySpan<char> line, ref int pos)
    {
        while (pos < line.Length && line[pos] == ' ')
            pos++;
        var start = pos;
        while (pos < line.Length && line[pos] != ' ')
            pos++;
        return line[start..pos];
    }

    private static bool TryKib(ReadOnlySpan<char> s, out long? kib)
    {
        var ok = TopNumbers.TryParseKib(s, out var v);
        kib = ok ? v : null;
        return ok;
    }

    private static bool TryPct(ReadOnlySpan<char> s, out double? pct)
    {
        if (s.Length > 1 && s[^1] == '%')
            s = s[..^1]; // busybox prints "50%"
        var ok = TopNumbers.TryParseDecimal(s, out var v) && v >= 0;
        pct = ok ? v : null;
        return ok;
    }

    private static bool TryTime(ReadOnlySpan<char> s, out double? seconds)
    {
        var ok = TopNumbers.TryParseTime(s, out var v);
        seconds = ok ? v : null;
        return ok;
    }
}

/// <summary>Interns names read as spans: a capture holds each distinct user and command string once.</summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> s)
    {
        if (_lookup.TryGetValue(s, out var existing))
            return existing;
        if (_strings.Count > 100_000)
            _strings.Clear(); // bounded: a stream of unique names must not grow without end
        var str = s.ToString();
        _strings[str] = str;
        return str;
    }
}
