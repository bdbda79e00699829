namespace ClusterWatch.Core.Sources.Top;

/// <summary>Which program printed a frame.</summary>
public enum TopFlavor
{
    Procps,
    Busybox,
}

/// <summary>
/// One warning of the top parser. <see cref="Code"/> is stable (USER_TRUNCATED, DECIMAL_COMMA … see docs/top.md);
/// <see cref="Line"/> is the 1-based line of the input where it was first seen.
/// </summary>
public sealed record TopWarning(string Code, int Line, string Message);

/// <summary>Something the parser could not read: the frame holding it is skipped, never guessed.</summary>
public sealed record TopParseError(string Code, int Line, string Message)
{
    public override string ToString() => $"line {Line}: {Message} ({Code})";
}

/// <summary>
/// The summary lines of a frame, in base units (memory in KiB as top's cases use it). Null: the line or value was not
/// printed (busybox has no Tasks line; a bare header has no summary at all).
/// </summary>
public sealed record TopSummary
{
    /// <summary>procps-3.2, procps-ng-3.3, procps-ng-4 or busybox (a best guess from the summary's wording).</summary>
    public string? Layout { get; init; }

    /// <summary>Time of day of the "top - HH:MM:SS" line (node local time).</summary>
    public TimeSpan? Clock { get; init; }

    public double[]? LoadAvg { get; init; }

    /// <summary>"Tasks" or "Threads" (localized labels are reported as they are).</summary>
    public string? TasksLabel { get; init; }

    public int? TasksTotal { get; init; }

    public int? Running { get; init; }

    public int? Sleeping { get; init; }

    public int? Stopped { get; init; }

    public int? Zombie { get; init; }

    public bool ThreadsMode { get; init; }

    public double? CpuUs { get; init; }

    public double? CpuSy { get; init; }

    public double? CpuNi { get; init; }

    public double? CpuId { get; init; }

    public double? CpuWa { get; init; }

    public double? CpuHi { get; init; }

    public double? CpuSi { get; init; }

    public double? CpuSt { get; init; }

    /// <summary>KiB, MiB … as in the label; "K" for the bare "Mem:" lines of procps 3.2 and busybox.</summary>
    public string? MemUnit { get; init; }

    public long? MemTotalKib { get; init; }

    public long? MemFreeKib { get; init; }

    public long? MemUsedKib { get; init; }

    public long? MemBuffCacheKib { get; init; }

    /// <summary>"avail Mem" of procps-ng ≥ 3.3.10; older layouts: free + buffers + cached.</summary>
    public long? MemAvailKib { get; init; }

    public char DecimalSeparator { get; init; } = '.';

    /// <summary>Busy share of the CPU line: 100 − idle − iowait, percent of the whole node.</summary>
    public double? BusyPctOfNode => CpuId is { } id ? Math.Clamp(100 - id - (CpuWa ?? 0), 0, 100) : null;
}

/// <summary>
/// One row of a frame: a process (a thread in threads mode). A value type: a long capture holds hundreds of thousands
/// of rows, stored inline in each frame's list instead of as as many heap objects. Values as top displayed them, converted to base units at
/// the edge: memory integer KiB, TIME+ seconds, %CPU as displayed (Irix or Solaris scale: see <see cref="TopCpuScale"/>).
/// </summary>
public readonly record struct TopRow
{
    public int Line { get; init; }

    /// <summary>PID (thread id in threads mode).</summary>
    public int Pid { get; init; }

    /// <summary>Busybox only.</summary>
    public int? Ppid { get; init; }

    /// <summary>Exactly as displayed, a trailing '+' of a cut name kept.</summary>
    public string User { get; init; }

    public bool UserTruncated { get; init; }

    /// <summary>Busybox: an 8-character name may have been cut without a marker.</summary>
    public bool UserMayBeTruncated { get; init; }

    /// <summary>The displayed user is an all-digit uid (no passwd entry on the node).</summary>
    public bool UserUnresolved { get; init; }

    /// <summary>Only derivable when the user is shown as a number (top shows names, not uids).</summary>
    public int? Uid { get; init; }

    public char State { get; init; }

    public long? VirtKib { get; init; }

    public long? ResKib { get; init; }

    public long? ShrKib { get; init; }

    /// <summary>Busybox VSZ.</summary>
    public long? VszKib { get; init; }

    /// <summary>%CPU as displayed (procps: Irix or Solaris scale).</summary>
    public double? CpuPct { get; init; }

    /// <summary>Busybox: %CPU of the whole node as displayed.</summary>
    public double? CpuPctOfNode { get; init; }

    public double? MemPct { get; init; }

    /// <summary>TIME+ (or TIME) in seconds.</summary>
    public double? TimeSeconds { get; init; }

    /// <summary>The rest of the line: inner spaces kept, the '+' of a cut line removed.</summary>
    public string Command { get; init; }

    public bool CommandTruncated { get; init; }

    /// <summary>Busybox {comm} prefix, when shown.</summary>
    public string? Comm { get; init; }

    /// <summary>Length of the printed line (a cut command fills the output width).</summary>
    public int LineLength { get; init; }

    public bool Zombie => State == 'Z';
}

/// <summary>One frame: a summary (possibly empty), the column header and the rows.</summary>
public sealed record TopFrame(
    int Index,
    int Line,
    TopFlavor Flavor,
    TopSummary Summary,
    IReadOnlyList<string> Columns,
    IReadOnlyList<TopRow> Rows,
    IReadOnlyList<TopWarning> Warnings)
{
    /// <summary>The first frame of a top run measures CPU over a fraction of a second: never used for CPU.</summary>
    public bool UseForCpu => Index > 0;
}

/// <summary>What a whole capture gave: the frames read, the warnings (first line per code) and the errors.</summary>
public sealed record TopParseResult(IReadOnlyList<TopFrame> Frames, IReadOnlyList<TopWarning> Warnings, IReadOnlyList<TopParseError> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>Warning and error codes (stable: scripts and tests depend on them).</summary>
public static class TopCodes
{
    public const string UserTruncated = "USER_TRUNCATED";
    public const string UserMayBeTruncated = "USER_MAY_BE_TRUNCATED";
    public const string UserNumeric = "USER_NUMERIC";
    public const string CommandTruncated = "COMMAND_TRUNCATED";
    public const string DecimalComma = "DECIMAL_COMMA";
    public const string LocalizedOutput = "LOCALIZED_OUTPUT";
    public const string LowPrecisionUnit = "LOW_PRECISION_UNIT";
    public const string UnitTooCoarse = "UNIT_TOO_COARSE";
    public const string ThreadsMode = "THREADS_MODE";
    public const string NondefaultLayout = "NONDEFAULT_LAYOUT";
    public const string BusyboxNoRss = "BUSYBOX_NO_RSS";

    public const string NoTopOutput = "NO_TOP_OUTPUT";
    public const string NoHeader = "NO_COLUMN_HEADER";
    public const string BadHeader = "BAD_COLUMN_HEADER";
    public const string BadRow = "BAD_ROW";
    public const string BadSummary = "BAD_SUMMARY";
}
