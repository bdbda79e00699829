namespace ClusterWatch.Core.Sources.Top;

/// <summary>Turns the lines of one frame, once all are read, into a <see cref="TopFrame"/> with its warnings.</summary>
internal static class TopFrameAssembler
{
    /// <summary>Lines shorter than this were not cut by top: its narrowest output is 80 columns (79 printed).</summary>
    private const int NarrowestCut = 79;

    public static TopFrame Assemble(
        int index, int line, TopFlavor flavor, List<(string Text, int Line)> summaryLines, TopLayout layout, int headerLine,
        List<TopRow> rows, Dictionary<string, TopWarning> global)
    {
        var warnings = new Dictionary<string, TopWarning>(StringComparer.Ordinal);
        void Warn(string code, int at, string message)
        {
            if (!warnings.ContainsKey(code))
                warnings[code] = new TopWarning(code, at, message);
            global.TryAdd(code, new TopWarning(code, at, message));
        }

        var summary = summaryLines.Count == 0 ? new TopSummary()
            : flavor == TopFlavor.Busybox ? TopSummaryParser.ParseBusybox(summaryLines)
            : TopSummaryParser.ParseProcps(summaryLines, Warn);
        if (layout.Localized)
            Warn(TopCodes.LocalizedOutput, headerLine, "column names are not English: the default 12 columns were taken by position; run top with LC_ALL=C.UTF-8");
        if (layout.Localized && summaryLines.Count == 0 && rows.Any(r => r.CpuPct is { } c && c % 1 != 0))
            Warn(TopCodes.DecimalComma, headerLine, "numbers use ',' as the decimal separator");
        if (flavor == TopFlavor.Procps && !layout.Localized && !layout.Busybox && !layout.IsDefault)
            Warn(TopCodes.NondefaultLayout, headerLine, $"columns differ from the default set ({string.Join(' ', layout.Names)}): a toprc or /etc/topdefaultrc changed them");
        if (layout.Busybox)
        {
            flavor = TopFlavor.Busybox;
            Warn(TopCodes.BusyboxNoRss, headerLine, "busybox top shows no resident memory: RSS is unknown");
        }
        var rowList = MarkCutCommands(rows);
        foreach (var r in rowList)
        {
            if (r.UserTruncated)
                Warn(TopCodes.UserTruncated, r.Line, $"user '{r.User}' was cut by top: distinct users sharing that prefix are merged");
            if (r.UserMayBeTruncated)
                Warn(TopCodes.UserMayBeTruncated, r.Line, $"busybox user '{r.User}' fills its 8 columns and may be cut without a marker");
            if (r.UserUnresolved)
                Warn(TopCodes.UserNumeric, r.Line, $"user shown as uid {r.User}: no passwd entry on the node");
            if (r.CommandTruncated)
                Warn(TopCodes.CommandTruncated, r.Line, "a command was cut at the output width: run top with -w 512");
        }
        return new TopFrame(index, line, flavor, summary, layout.Names, rowList, warnings.Values.ToList());
    }

    /// <summary>
    /// A trailing '+' means top cut the line only when the line fills the output width (the longest rows of the frame,
    /// at least 79 columns): "g++" on a short line is a real name.
    /// </summary>
    private static List<TopRow> MarkCutCommands(List<TopRow> rows)
    {
        var width = 0;
        foreach (var r in rows)
            width = Math.Max(width, r.LineLength);
        if (width < NarrowestCut)
            return rows;
        for (var k = 0; k < rows.Count; k++)
        {
            var r = rows[k];
            if (r.LineLength == width && r.Command.Length > 1 && r.Command[^1] == '+')
                rows[k] = r with { Command = r.Command[..^1], CommandTruncated = true };
        }
        return rows;
    }
}
