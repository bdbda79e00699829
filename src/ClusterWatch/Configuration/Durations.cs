using System.Globalization;

namespace ClusterWatch.Configuration;

/// <summary>Durations as people write them: "500ms", "5s", "2m", "1h", "7d"; a bare number is seconds.</summary>
public static class Durations
{
    /// <summary>
    /// The longest duration accepted anywhere (100 years): longer retention than that keeps everything anyway, and
    /// "now minus" it must stay a representable time (DateTimeOffset starts at year 1).
    /// </summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(36500);

    /// <summary>
    /// The longest wait a .NET timer takes (Timer.MaxSupportedTimeout, 2^32 − 2 ms, about 49.7 days), rounded down
    /// to whole days: a limit for the durations that become a timer (--duration, the sample interval…).
    /// </summary>
    public static readonly TimeSpan MaxTimer = TimeSpan.FromDays(49);

    /// <summary>
    /// False for anything that is not a plain non-negative decimal number with an optional unit, and for durations
    /// longer than <see cref="Max"/> — never throws ("NaN", "Infinity" and 1e20 s are refused, not overflowed).
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim().ToLowerInvariant();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)];
        foreach (var (suffix, seconds) in units)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal))
                continue;
            var number = text[..^suffix.Length];
            if (suffix == "s" && number.EndsWith('m'))
                continue; // "ms" handled above
            return TryFromSeconds(number, seconds, out value);
        }
        return TryFromSeconds(text, 1, out value);
    }

    private static bool TryFromSeconds(string number, double unitSeconds, out TimeSpan value)
    {
        value = default;
        // .NET parses "NaN" and "Infinity" whatever the NumberStyles, so a finite check is needed, and a size check
        // before TimeSpan.FromSeconds, which throws past TimeSpan.MaxValue.
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
            || !double.IsFinite(n) || n < 0)
            return false;
        var seconds = n * unitSeconds;
        if (!double.IsFinite(seconds) || seconds > Max.TotalSeconds)
            return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>Short text of a duration: "5s", "90s", "48h".</summary>
    public static string Format(TimeSpan t) =>
        t.TotalSeconds % 86400 == 0 && t.TotalDays >= 1 ? $"{t.TotalDays:0}d"
        : t.TotalSeconds % 3600 == 0 && t.TotalHours >= 1 ? $"{t.TotalHours:0}h"
        : t.TotalSeconds % 1 == 0 ? $"{t.TotalSeconds:0}s"
        : $"{t.TotalMilliseconds:0}ms";
}
