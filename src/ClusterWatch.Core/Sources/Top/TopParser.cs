namespace ClusterWatch.Core.Sources.Top;

/// <summary>
/// The top parser: a pure function from text to frames. A frame starts at "top - " (procps), at "Mem:" (busybox) or,
/// for excerpts without a summary, at a column header. A frame that can't be read is reported with its line number
/// and skipped — never guessed; the frames around it are still returned. Keep one instance per stream: it interns
/// names across frames.
/// </summary>
public sealed class TopParser
{
    private readonly StringPool _pool = new();
    private readonly TopRowParser _rows;

    public TopParser() => _rows = new TopRowParser(_pool);

    /// <summary>Parses a whole capture (a string of one or many frames).</summary>
    public static TopParseResult ParseText(string text) => new TopParser().Parse(text);

    /// <summary>
    /// Parses <paramref name="text"/>; its first line is line <paramref name="firstLine"/> of the stream and its first
    /// frame is frame number <paramref name="firstIndex"/> of the top run (frame 0 is never used for CPU).
    /// </summary>
    public TopParseResult Parse(ReadOnlySpan<char> text, int firstLine = 1, int firstIndex = 0)
    {
        var state = new ParseState(firstIndex);
        var lineNo = firstLine - 1;
        foreach (var range in text.EnumerateLines())
        {
            lineNo++;
            var line = range.TrimEnd('\r');
            Feed(state, line, lineNo);
        }
        Finish(state);
        if (state.Frames.Count == 0 && state.Errors.Count == 0)
            state.Errors.Add(new TopParseError(TopCodes.NoTopOutput, firstLine, "no top output: no line starts with 'top - ' (procps) or 'Mem:' (busybox)"));
        return new TopParseResult(state.Frames, state.Warnings.Values.OrderBy(w => w.Line).ToList(), state.Errors);
    }

    private void Feed(ParseState s, ReadOnlySpan<char> line, int lineNo)
    {
        var f = s.Frame;
        if (line.StartsWith("top - ", StringComparison.Ordinal))
        {
            Start(s, lineNo, TopFlavor.Procps);
            s.Frame!.SummaryLines.Add((line.ToString(), lineNo));
            return;
        }
        if (line.StartsWith("Mem:", StringComparison.Ordinal) && (f == null || f.Phase == Phase.Rows || f.Phase == Phase.AfterRows))
        {
            Start(s, lineNo, TopFlavor.Busybox);
            s.Frame!.SummaryLines.Add((line.ToString(), lineNo));
            return;
        }
        if (f == null || f.Phase == Phase.AfterRows)
        {
            if (line.IsWhiteSpace())
                return;
            if (TopLayout.IsHeader(line))
            {
                Start(s, lineNo, TopFlavor.Procps);
                Header(s, s.Frame!, line, lineNo);
                return;
            }
            if (f != null && f.Error == null)
                Finish(s);
            if (!s.InJunk)
                s.Errors.Add(new TopParseError(TopCodes.NoTopOutput, lineNo, $"not top output: '{Clip(line)}'"));
            s.InJunk = true;
            return;
        }
        if (f.Error != null)
            return; // the rest of a garbled frame: skipped until the next frame starts
        switch (f.Phase)
        {
            case Phase.Summary:
                if (line.IsWhiteSpace())
                    f.Phase = Phase.Header;
                else if (TopLayout.IsHeader(line))
                    Header(s, f, line, lineNo);
                else
                    f.SummaryLines.Add((line.ToString(), lineNo));
                break;
            case Phase.Header:
                if (line.IsWhiteSpace())
                    break;
                if (TopLayout.IsHeader(line))
                    Header(s, f, line, lineNo);
                else
                    f.Error = new TopParseError(TopCodes.NoHeader, lineNo, $"expected the column header (PID USER …), found '{Clip(line)}'");
                break;
            case Phase.Rows:
                if (line.IsWhiteSpace())
                {
                    f.Phase = Phase.AfterRows;
                    break;
                }
                var row = _rows.Parse(line, lineNo, f.Layout!, out var error);
                if (row == null)
                    f.Error = new TopParseError(TopCodes.BadRow, lineNo, $"{error}: '{Clip(line)}'");
                else
                    f.Rows.Add(row.Value);
                break;
        }
    }

    private static void Start(ParseState s, int lineNo, TopFlavor flavor)
    {
        Finish(s);
        s.InJunk = false;
        s.Frame = new FrameBuilder(s.NextIndex++, lineNo, flavor);
    }

    private static void Header(ParseState s, FrameBuilder f, ReadOnlySpan<char> line, int lineNo)
    {
        f.Layout = TopLayout.Parse(line, out var error);
        if (f.Layout == null)
            f.Error = new TopParseError(TopCodes.BadHeader, lineNo, error!);
        else
        {
            f.HeaderLine = lineNo;
            f.Phase = Phase.Rows;
            f.Rows.Capacity = AnnouncedRows(f.SummaryLines); // rows are large values: no growth copies
        }
    }

    private static void Finish(ParseState s)
    {
        var f = s.Frame;
        s.Frame = null;
        if (f == null)
            return;
        if (f.Error == null && f.Layout == null)
            f.Error = new TopParseError(TopCodes.NoHeader, f.SummaryLines.Count > 0 ? f.SummaryLines[^1].Line : f.Line,
                "frame ends before its column header (truncated capture?)");
        if (f.Error != null)
        {
            s.Errors.Add(f.Error);
            return;
        }
        s.Frames.Add(TopFrameAssembler.Assemble(f.Index, f.Line, f.Flavor, f.SummaryLines, f.Layout!, f.HeaderLine, f.Rows, s.Warnings));
    }

    /// <summary>The Tasks:/Threads: total of a summary (0 when absent), capped against a garbled number.</summary>
    private static int AnnouncedRows(List<(string Text, int Line)> summary)
    {
        foreach (var (text, _) in summary)
        {
            if (!text.StartsWith("Tasks:", StringComparison.Ordinal) && !text.StartsWith("Threads:", StringComparison.Ordinal))
                continue;
            var rest = text.AsSpan(text.IndexOf(':') + 1).TrimStart(' ');
            var end = rest.IndexOf(' ');
            return TopNumbers.TryParseInt(end > 0 ? rest[..end] : rest, out var n) ? Math.Min(n, 1_000_000) : 0;
        }
        return 0;
    }

    private static string Clip(ReadOnlySpan<char> line) => line.Length > 60 ? line[..60].ToString() + "…" : line.ToString();

    internal enum Phase
    {
        Summary,
        Header,
        Rows,
        AfterRows,
    }

    private sealed class FrameBuilder(int index, int line, TopFlavor flavor)
    {
        public int Index { get; } = index;

        public int Line { get; } = line;

        public TopFlavor Flavor { get; } = flavor;

        public Phase Phase = Phase.Summary;

        public readonly List<(string Text, int Line)> SummaryLines = new();

        public TopLayout? Layout;

        public int HeaderLine;

        public readonly List<TopRow> Rows = new();

        public TopParseError? Error;
    }

    private sealed class ParseState(int firstIndex)
    {
        public int NextIndex = firstIndex;

        public FrameBuilder? Frame;

        public bool InJunk;

        public readonly List<TopFrame> Frames = new();

        public readonly Dictionary<string, TopWarning> Warnings = new(StringComparer.Ordinal);

        public readonly List<TopParseError> Errors = new();
    }
}
