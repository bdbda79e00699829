namespace ClusterWatch.Core.Sources.Top;

/// <summary>
/// The summary lines of a frame: "top - …", Tasks/Threads, %Cpu(s), Mem, Swap (procps 3.2 / ng 3.3 / ng 4 wordings)
/// and busybox's Mem/CPU/Load average. Values are read by their labels; when the labels are not English (a localized
/// top, C06) they are taken in procps-ng 4's order and the frame is marked LOCALIZED_OUTPUT.
/// </summary>
internal static class TopSummaryParser
{
    /// <summary>Parses the summary lines of a procps frame (the "top - " line first).</summary>
    public static TopSummary ParseProcps(IReadOnlyList<(string Text, int Line)> lines, Action<string, int, string> warn)
    {
        var first = lines[0].Text;
        var comma = TopNumbers.HasDecimalComma(first) || lines.Any(l => l.Text.Contains("Cpu", StringComparison.Ordinal) && TopNumbers.HasDecimalComma(l.Text));
        if (comma)
            warn(TopCodes.DecimalComma, lines[0].Line, "numbers use ',' as the decimal separator (localized top): run it with LC_ALL=C.UTF-8");
        var s = new TopSummary { DecimalSeparator = comma ? ',' : '.', Clock = Clock(first), LoadAvg = LoadAverage(first, comma) };
        var i = 1;
        if (i < lines.Count && !IsCpuLine(lines[i].Text))
            s = Tasks(s, lines[i++], warn, comma);
        var cpuLines = new List<(string Text, int Line)>();
        while (i < lines.Count && IsCpuLine(lines[i].Text))
            cpuLines.Add(lines[i++]);
        if (cpuLines.Count > 0)
            s = Cpu(s, cpuLines, warn, comma);
        if (i < lines.Count)
            s = Mem(s, lines[i++], warn, comma);
        if (i < lines.Count)
            s = Swap(s, lines[i], comma);
        var legacy = cpuLines.Count > 0 && cpuLines[0].Text.StartsWith("Cpu", StringComparison.Ordinal);
        var oldNg = s.MemUnit == "KiB" || first.Contains(" users,", StringComparison.Ordinal);
        return s with { Layout = legacy ? "procps-3.2" : oldNg ? "procps-ng-3.3" : "procps-ng-4" };
    }

    /// <summary>busybox: "Mem: …K used, …K free, …", "CPU: 50% usr …", "Load average: 3.90 1.26 0.45 2/113 9755".</summary>
    public static TopSummary ParseBusybox(IReadOnlyList<(string Text, int Line)> lines)
    {
        var s = new TopSummary { Layout = "busybox", MemUnit = "K" };
        foreach (var (text, _) in lines)
        {
            var colon = text.IndexOf(':');
            var body = colon >= 0 ? text[(colon + 1)..] : text;
            var pairs = Pairs(body, false);
            if (text.StartsWith("Mem:", StringComparison.Ordinal))
            {
                var used = Kib(pairs, "used", 1);
                var free = Kib(pairs, "free", 1);
                s = s with
                {
                    MemUsedKib = used, MemFreeKib = free, MemTotalKib = used + free,
                    MemBuffCacheKib = Kib(pairs, "buff", 1) + Kib(pairs, "cached", 1),
                    MemAvailKib = free + Kib(pairs, "buff", 1) + Kib(pairs, "cached", 1),
                };
            }
            else if (text.StartsWith("CPU:", StringComparison.Ordinal))
                s = s with { CpuUs = Pct(pairs, "usr"), CpuSy = Pct(pairs, "sys"), CpuNi = Pct(pairs, "nic"), CpuId = Pct(pairs, "idle"), CpuWa = Pct(pairs, "io"), CpuHi = Pct(pairs, "irq"), CpuSi = Pct(pairs, "sirq") };
            else if (text.StartsWith("Load average:", StringComparison.Ordinal))
            {
                var nums = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (nums.Length >= 3 && nums.Take(3).All(n => TopNumbers.TryParseDecimal(n, out _)))
                    s = s with { LoadAvg = nums.Take(3).Select(n => { TopNumbers.TryParseDecimal(n, out var v); return v; }).ToArray() };
            }
        }
        return s;
    }

    public static bool IsCpuLine(string text) => text.StartsWith("%Cpu", StringComparison.Ordinal) || text.StartsWith("Cpu", StringComparison.Ordinal);

    private static TimeSpan? Clock(string first)
    {
        // "top - 12:31:10 up …"
        var t = first.AsSpan(6).TrimStart(' ');
        var end = t.IndexOf(' ');
        var token = end > 0 ? t[..end] : t;
        return TimeSpan.TryParseExact(token, "hh\\:mm\\:ss", System.Globalization.CultureInfo.InvariantCulture, out var clock) ? clock : null;
    }

    private static double[]? LoadAverage(string first, bool comma)
    {
        var colon = first.LastIndexOf(':');
        if (colon < 0)
            return null;
        var nums = Pairs(first.AsSpan(colon + 1), comma).Select(p => p.Number).ToList();
        if (nums.Count < 3)
            return null;
        var result = new double[3];
        for (var k = 0; k < 3; k++)
            if (!TopNumbers.TryParseDecimal(nums[^(3 - k)], out result[k]))
                return null;
        return result;
    }

    private static TopSummary Tasks(TopSummary s, (string Text, int Line) line, Action<string, int, string> warn, bool comma)
    {
        var colon = line.Text.IndexOf(':');
        var label = colon > 0 ? line.Text[..colon].Trim() : "";
        if (label is not ("Tasks" or "Threads"))
            warn(TopCodes.LocalizedOutput, line.Line, $"summary label '{label}' is not English: values taken by position; run top with LC_ALL=C.UTF-8");
        if (label == "Threads")
            warn(TopCodes.ThreadsMode, line.Line, "rows are threads (top -H): they are not summed as processes");
        var n = Pairs(colon >= 0 ? line.Text[(colon + 1)..] : line.Text, comma).Select(p => TopNumbers.TryParseInt(p.Number, out var v) ? v : (int?)null).ToList();
        int? At(int k) => k < n.Count ? n[k] : null;
        return s with { TasksLabel = label, ThreadsMode = label == "Threads", TasksTotal = At(0), Running = At(1), Sleeping = At(2), Stopped = At(3), Zombie = At(4) };
    }

    private static readonly string[] CpuLabels = ["us", "sy", "ni", "id", "wa", "hi", "si", "st"];

    private static TopSummary Cpu(TopSummary s, List<(string Text, int Line)> lines, Action<string, int, string> warn, bool comma)
    {
        // Several lines (%Cpu0, %Cpu1 … when toggled) are averaged: every CPU weighs the same.
        var sums = new double[8];
        var count = 0;
        foreach (var (text, lineNo) in lines)
        {
            var colon = text.IndexOf(':');
            var pairs = Pairs(text.AsSpan(colon + 1), comma);
            if (pairs.Count < 4)
            {
                warn(TopCodes.NondefaultLayout, lineNo, "the CPU line is not in numbers (graph mode?): node CPU unknown");
                return s;
            }
            var english = pairs.All(p => Array.IndexOf(CpuLabels, p.Label.TrimStart('%')) >= 0);
            for (var k = 0; k < 8; k++)
            {
                var idx = english ? pairs.FindIndex(p => p.Label.TrimStart('%') == CpuLabels[k]) : k;
                if (idx >= 0 && idx < pairs.Count && TopNumbers.TryParseDecimal(pairs[idx].Number, out var v))
                    sums[k] += v;
            }
            count++;
        }
        double Avg(int k) => sums[k] / count;
        return s with { CpuUs = Avg(0), CpuSy = Avg(1), CpuNi = Avg(2), CpuId = Avg(3), CpuWa = Avg(4), CpuHi = Avg(5), CpuSi = Avg(6), CpuSt = Avg(7) };
    }

    private static TopSummary Mem(TopSummary s, (string Text, int Line) line, Action<string, int, string> warn, bool comma)
    {
        var colon = line.Text.IndexOf(':');
        if (colon < 0)
            return s;
        var label = line.Text[..colon].Trim();
        var unitName = label.Length >= 3 && TopNumbers.UnitKib(label.AsSpan(0, 3)) > 0 ? label[..3] : "K";
        var unit = unitName == "K" ? 1 : TopNumbers.UnitKib(unitName);
        var pairs = Pairs(line.Text.AsSpan(colon + 1), comma);
        var english = pairs.All(p => p.Label is "total" or "free" or "used" or "buff/cache" or "buffers");
        long? Get(string name, int position)
        {
            var idx = english ? pairs.FindIndex(p => p.Label == name) : position;
            return idx >= 0 && idx < pairs.Count && TopNumbers.TryParseKib(pairs[idx].Number, out var v, unit) ? v : null;
        }
        var total = Get("total", 0);
        if (unit >= 1L << 20)
            warn(total is null or 0 ? TopCodes.UnitTooCoarse : TopCodes.LowPrecisionUnit, line.Line,
                $"summary memory in {unitName}: {(total is null or 0 ? "unusable" : "precision is 0.1 " + unitName)}; run top without -E");
        var buffCache = Get("buff/cache", 3) ?? Get("buffers", -1);
        return s with { MemUnit = unitName, MemTotalKib = total, MemFreeKib = Get("free", 1), MemUsedKib = Get("used", 2), MemBuffCacheKib = buffCache };
    }

    private static TopSummary Swap(TopSummary s, (string Text, int Line) line, bool comma)
    {
        var colon = line.Text.IndexOf(':');
        if (colon < 0)
            return s;
        var label = line.Text[..colon].Trim();
        var unit = label.Length >= 3 && TopNumbers.UnitKib(label.AsSpan(0, 3)) is var u and > 0 ? u : 1;
        var pairs = Pairs(line.Text.AsSpan(colon + 1), comma);
        var avail = pairs.FindIndex(p => p.Label.StartsWith("avail", StringComparison.Ordinal));
        var cached = pairs.FindIndex(p => p.Label.StartsWith("cached", StringComparison.Ordinal));
        if (avail < 0 && cached < 0 && pairs.Count == 4)
            avail = 3; // localized ng-4 wording: the fourth value is "avail Mem"
        if (avail >= 0 && TopNumbers.TryParseKib(pairs[avail].Number, out var a, unit))
            return s with { MemAvailKib = a };
        if (cached >= 0 && TopNumbers.TryParseKib(pairs[cached].Number, out var c, unit))
            return s with { MemAvailKib = (s.MemFreeKib ?? 0) + (s.MemBuffCacheKib ?? 0) + c };
        return s;
    }

    private static long Kib(List<(string Number, string Label)> pairs, string label, long unit)
    {
        var idx = pairs.FindIndex(p => p.Label == label);
        return idx >= 0 && TopNumbers.TryParseKib(pairs[idx].Number, out var v, unit) ? v : 0;
    }

    private static double? Pct(List<(string Number, string Label)> pairs, string label)
    {
        var idx = pairs.FindIndex(p => p.Label == label);
        return idx >= 0 && TopNumbers.TryParseDecimal(pairs[idx].Number, out var v) ? v : null;
    }

    /// <summary>
    /// (number, label) pairs of a summary line: "24105.1 total,  21828.6 free" or "42.1%us, 14.0%sy" or
    /// "1366276K used". A ',' between digits is a decimal comma only when <paramref name="comma"/>.
    /// </summary>
    internal static List<(string Number, string Label)> Pairs(ReadOnlySpan<char> text, bool comma)
    {
        var list = new List<(string, string)>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiDigit(text[i]) && !(text[i] == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                i++;
                continue;
            }
            var start = i++;
            while (i < text.Length && (char.IsAsciiDigit(text[i])
                || ((text[i] == '.' || (comma && text[i] == ',')) && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))))
                i++;
            if (i < text.Length && TopNumbers.Suffix(text[i]) > 0 && (i + 1 == text.Length || text[i + 1] is ' ' or ','))
                i++;
            var number = text[start..i].ToString();
            if (i < text.Length && text[i] == '%')
                i++;
            var labelStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]))
                i++;
            var label = text[labelStart..i].Trim().TrimEnd(',').TrimEnd('.').Trim().ToString();
            list.Add((number, label));
        }
        return list;
    }
}
