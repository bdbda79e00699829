namespace ClusterWatch.Core.Sources.Top;

/// <summary>What a column of top's header holds, as far as ClusterWatch uses it.</summary>
public enum TopColumn
{
    Other,
    Pid,
    Ppid,
    User,
    State,
    Virt,
    Res,
    Shr,
    Vsz,
    VszPct,
    Cpu,
    Mem,
    Time,
    Command,
}

/// <summary>
/// The columns of a frame, read from its header line (never from fixed positions: a toprc can reorder them, and extra
/// columns may follow COMMAND). COMMAND takes the rest of the line, so the columns after it are taken from the end.
/// </summary>
public sealed class TopLayout
{
    /// <summary>procps-ng's default column set.</summary>
    public static readonly string[] DefaultNames = ["PID", "USER", "PR", "NI", "VIRT", "RES", "SHR", "S", "%CPU", "%MEM", "TIME+", "COMMAND"];

    private TopLayout(string[] names, TopColumn[] kinds, bool busybox, bool localized)
    {
        Names = names;
        Kinds = kinds;
        Busybox = busybox;
        Localized = localized;
        CommandIndex = Array.IndexOf(kinds, TopColumn.Command);
        IsDefault = !busybox && !localized && names.AsSpan().SequenceEqual(DefaultNames);
    }

    public string[] Names { get; }

    public TopColumn[] Kinds { get; }

    public bool Busybox { get; }

    /// <summary>The header's names are not English: columns were taken by position (the default 12).</summary>
    public bool Localized { get; }

    public bool IsDefault { get; }

    /// <summary>Index of COMMAND; columns before it are single tokens, those after it are taken from the line's end.</summary>
    public int CommandIndex { get; }

    public int AfterCommand => Kinds.Length - CommandIndex - 1;

    public bool Has(TopColumn c) => Array.IndexOf(Kinds, c) >= 0;

    /// <summary>True when the line is a column header (its first word is PID).</summary>
    public static bool IsHeader(ReadOnlySpan<char> line)
    {
        var t = line.TrimStart(' ');
        return t.StartsWith("PID ", StringComparison.Ordinal);
    }

    /// <summary>Reads the header; null with <paramref name="error"/> when it lacks PID, USER, %CPU or COMMAND.</summary>
    public static TopLayout? Parse(ReadOnlySpan<char> line, out string? error)
    {
        error = null;
        var names = new List<string>(16);
        foreach (var r in line.Split(' '))
            if (!line[r].IsEmpty)
                names.Add(line[r].ToString());
        var kinds = names.Select(Kind).ToArray();
        var busybox = names.Contains("PPID") && names.Contains("STAT") && names.Contains("VSZ");
        var localized = false;
        if ((!kinds.Contains(TopColumn.User) || !kinds.Contains(TopColumn.Command)) && names.Count == DefaultNames.Length && names[0] == "PID")
        {
            // Localized procps (C06): the names are translated but the default 12 columns keep their order.
            kinds = DefaultNames.Select(Kind).ToArray();
            localized = true;
        }
        foreach (var required in new[] { TopColumn.Pid, TopColumn.User, TopColumn.Cpu, TopColumn.Command })
            if (!kinds.Contains(required))
            {
                error = $"column header has no {required.ToString().ToUpperInvariant()} column: '{line.Trim().ToString()}'";
                return null;
            }
        return new TopLayout(names.ToArray(), kinds, busybox, localized);
    }

    private static TopColumn Kind(string name) => name switch
    {
        "PID" => TopColumn.Pid,
        "PPID" => TopColumn.Ppid,
        "USER" => TopColumn.User,
        "S" or "STAT" => TopColumn.State,
        "VIRT" => TopColumn.Virt,
        "RES" => TopColumn.Res,
        "SHR" => TopColumn.Shr,
        "VSZ" => TopColumn.Vsz,
        "%VSZ" => TopColumn.VszPct,
        "%CPU" => TopColumn.Cpu,
        "%MEM" => TopColumn.Mem,
        "TIME+" or "TIME" => TopColumn.Time,
        "COMMAND" => TopColumn.Command,
        _ => TopColumn.Other,
    };
}
