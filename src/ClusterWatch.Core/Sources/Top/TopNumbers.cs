namespace ClusterWatch.Core.Sources.Top;

/// <summary>
/// Number forms top prints, converted at the edge with no culture: decimals with '.' or ',' (localized top), memory with
/// binary suffixes (k m g t p e; a plain number is KiB), TIME+ forms. Exact: memory is multiplied as a decimal and
/// rounded half-up, so "1.2g" is 1258291 KiB whatever the float rounding.
/// </summary>
public static class TopNumbers
{
    /// <summary>A decimal number with an optional sign and one '.' or ',' separator.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> s, out double value)
    {
        value = 0;
        if (!TryParseMantissa(s, out var mantissa, out var scale, out var negative) )
            return false;
        value = (double)mantissa / Pow10(scale);
        if (negative)
            value = -value;
        return true;
    }

    /// <summary>A whole number (pids, counts); false for anything else.</summary>
    public static bool TryParseInt(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 10)
            return false;
        long v = 0;
        foreach (var c in s)
        {
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        if (v > int.MaxValue)
            return false;
        value = (int)v;
        return true;
    }

    /// <summary>A memory value in KiB: "1316", "1.2g", "263.5m", "812m", "1366276K"; <paramref name="unitKib"/> scales a plain number.</summary>
    public static bool TryParseKib(ReadOnlySpan<char> s, out long kib, long unitKib = 1)
    {
        kib = 0;
        if (s.IsEmpty)
            return false;
        var mult = unitKib;
        var last = s[^1];
        if (char.IsAsciiLetter(last))
        {
            mult = Suffix(last);
            if (mult == 0)
                return false;
            s = s[..^1];
        }
        if (!TryParseMantissa(s, out var mantissa, out var scale, out var negative) || negative)
            return false;
        if (scale == 0 && mantissa < (long.MaxValue >> 50))
        {
            kib = mantissa * mult; // the common case (a plain KiB count): no division
            return true;
        }
        var divisor = (Int128)Pow10(scale);
        var product = (Int128)mantissa * mult;
        // Round half up: top printed one decimal; the expected value is the exact conversion of what it printed.
        var rounded = (product * 2 + divisor) / (divisor * 2);
        if (rounded > long.MaxValue)
            return false;
        kib = (long)rounded;
        return true;
    }

    /// <summary>KiB per unit of a suffix letter (case-insensitive), 0 if not a suffix.</summary>
    public static long Suffix(char c) => char.ToLowerInvariant(c) switch
    {
        'k' => 1,
        'm' => 1L << 10,
        'g' => 1L << 20,
        't' => 1L << 30,
        'p' => 1L << 40,
        'e' => 1L << 50,
        _ => 0,
    };

    /// <summary>KiB per unit of a summary label ("KiB", "MiB" … "EiB"), 0 if unknown.</summary>
    public static long UnitKib(ReadOnlySpan<char> label) =>
        label.Length == 3 && label[1] == 'i' && label[2] == 'B' ? Suffix(label[0]) : 0;

    /// <summary>
    /// TIME+ and TIME: "m:ss.hh", "m:ss", "h,mm" (hours,minutes — procps when minutes don't fit), "12h", "3d", "2w".
    /// </summary>
    public static bool TryParseTime(ReadOnlySpan<char> s, out double seconds)
    {
        seconds = 0;
        if (s.IsEmpty)
            return false;
        var colon = s.IndexOf(':');
        if (colon > 0)
        {
            if (!TryParseInt(s[..colon], out var minutes) || !TryParseDecimal(s[(colon + 1)..], out var secs) || secs < 0 || secs >= 60)
                return false;
            seconds = minutes * 60.0 + secs;
            return true;
        }
        var comma = s.IndexOf(',');
        if (comma > 0)
        {
            if (!TryParseInt(s[..comma], out var hours) || !TryParseInt(s[(comma + 1)..], out var mins) || mins >= 60)
                return false;
            seconds = hours * 3600.0 + mins * 60.0;
            return true;
        }
        var unit = s[^1] switch { 'h' => 3600.0, 'd' => 86400.0, 'w' => 604800.0, _ => 0 };
        if (unit == 0 || !TryParseInt(s[..^1], out var n))
            return false;
        seconds = n * unit;
        return true;
    }

    /// <summary>True when the text has a digit, a ',' and a digit: a decimal comma (top never prints thousands separators).</summary>
    public static bool HasDecimalComma(ReadOnlySpan<char> s)
    {
        for (var i = 1; i + 1 < s.Length; i++)
            if (s[i] == ',' && char.IsAsciiDigit(s[i - 1]) && char.IsAsciiDigit(s[i + 1]))
                return true;
        return false;
    }

    private static bool TryParseMantissa(ReadOnlySpan<char> s, out long mantissa, out int scale, out bool negative)
    {
        mantissa = 0;
        scale = 0;
        negative = false;
        if (s.IsEmpty)
            return false;
        var i = 0;
        if (s[0] == '-')
        {
            negative = true;
            i = 1;
        }
        var digits = 0;
        var seenSep = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c >= '0' && c <= '9')
            {
                if (digits++ > 17)
                    return false;
                mantissa = mantissa * 10 + (c - '0');
                if (seenSep)
                    scale++;
            }
            else if ((c == '.' || c == ',') && !seenSep)
                seenSep = true;
            else
                return false;
        }
        return digits > 0;
    }

    private static long Pow10(int n)
    {
        long r = 1;
        for (var i = 0; i < n; i++)
            r *= 10;
        return r;
    }
}
