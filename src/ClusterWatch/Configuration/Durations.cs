using System.Globalization;

namespace ClusterWatch.Configuration;

/// <summary>Durations as people write them: "500ms", "5s", "2m", "1h", "7d"; a bare number is seconds.</summary>
public static class Durations
{
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
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                return false;
            value = TimeSpan.FromSeconds(n * seconds);
            return true;
        }
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plain))
        {
            value = TimeSpan.FromSeconds(plain);
            return true;
        }
        return false;
    }

    /// <summary>Short text of a duration: "5s", "90s", "48h".</summary>
    public static string Format(TimeSpan t) =>
        t.TotalSeconds % 86400 == 0 && t.TotalDays >= 1 ? $"{t.TotalDays:0}d"
        : t.TotalSeconds % 3600 == 0 && t.TotalHours >= 1 ? $"{t.TotalHours:0}h"
        : t.TotalSeconds % 1 == 0 ? $"{t.TotalSeconds:0}s"
        : $"{t.TotalMilliseconds:0}ms";
}
