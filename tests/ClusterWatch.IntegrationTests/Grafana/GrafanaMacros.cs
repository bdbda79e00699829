using System.Globalization;
using System.Text.RegularExpressions;

namespace ClusterWatch.IntegrationTests.Grafana;

/// <summary>
/// Expands a Grafana MySQL panel query the way Grafana does (its rules read from its source; its own test
/// expectations are this class's test data): template variables, $__interval / $__interval_ms, then the macros.
/// Grafana itself can't run here, so this is how the shipped dashboards' SQL is run against a real MariaDB.
/// </summary>
public static partial class GrafanaMacros
{
    /// <summary>What a panel query is expanded with: the dashboard range, the panel interval, the variables' selected values.</summary>
    public sealed record Context(DateTimeOffset From, DateTimeOffset To, TimeSpan Interval, IReadOnlyDictionary<string, IReadOnlyList<string>> Variables);

    public static string Expand(string sql, Context ctx)
    {
        if (Refused().IsMatch(sql))
            throw new InvalidOperationException("invalid query - inspect Grafana server log for details");
        sql = Variables(sql, ctx.Variables);
        sql = sql.Replace("${__interval_ms}", ((long)ctx.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                 .Replace("$__interval_ms", ((long)ctx.Interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                 .Replace("${__interval}", FormatInterval(ctx.Interval), StringComparison.Ordinal)
                 .Replace("$__interval", FormatInterval(ctx.Interval), StringComparison.Ordinal);
        return Macro().Replace(sql, m => ExpandMacro(m.Groups[1].Value, SplitArgs(m.Groups[2].Value), ctx));
    }

    /// <summary>$__interval keeps only its largest whole unit (90 s → "1m", 1.5 s → "1s"); below a second, milliseconds.</summary>
    public static string FormatInterval(TimeSpan t)
    {
        var ms = (long)t.TotalMilliseconds;
        (long Size, string Unit)[] units = [(365L * 86400000, "y"), (7L * 86400000, "w"), (86400000, "d"), (3600000, "h"), (60000, "m"), (1000, "s")];
        foreach (var (size, unit) in units)
            if (ms >= size)
                return (ms / size).ToString(CultureInfo.InvariantCulture) + unit;
        return ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    /// <summary>Grafana's interval text (5m, 30s, 1h, 500ms, 1d, 1w) to a span.</summary>
    public static TimeSpan ParseInterval(string text)
    {
        var m = IntervalText().Match(text.Trim().Trim('\'', '"'));
        if (!m.Success)
            throw new FormatException($"'{text}' is not an interval");
        var n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            "d" => TimeSpan.FromDays(n),
            "w" => TimeSpan.FromDays(7 * n),
            _ => TimeSpan.FromDays(365 * n),
        };
    }

    /// <summary>Multi-value and All variables become 'a','b' with ' doubled; ${v:csv} is the bare list (unsafe with quotes).</summary>
    private static string Variables(string sql, IReadOnlyDictionary<string, IReadOnlyList<string>> vars)
    {
        foreach (var (name, values) in vars.OrderByDescending(v => v.Key.Length))
        {
            sql = sql.Replace("${" + name + ":csv}", string.Join(",", values), StringComparison.Ordinal);
            var quoted = string.Join(",", values.Select(v => "'" + v.Replace("'", "''", StringComparison.Ordinal) + "'"));
            sql = sql.Replace("${" + name + "}", quoted, StringComparison.Ordinal).Replace("$" + name, quoted, StringComparison.Ordinal);
        }
        return sql;
    }

    private static string ExpandMacro(string name, string[] args, Context ctx)
    {
        long F(string? trunc = null) => Truncate(ctx.From.ToUnixTimeSeconds(), trunc);
        long T(string? trunc = null) => Truncate(ctx.To.ToUnixTimeSeconds(), trunc);
        string? Arg(int i) => args.Length > i ? args[i] : null;
        long Seconds(string iv) => (long)ParseInterval(iv).TotalSeconds;
        return name switch
        {
            "time" => $"UNIX_TIMESTAMP({args[0]}) as time_sec",
            "timeFilter" => $"{args[0]} BETWEEN {FromUnixTime(F(Arg(1)))} AND FROM_UNIXTIME({T(Arg(1))})", // only the start is guarded, as in Grafana
            "timeFrom" => FromUnixTime(F(Arg(0))),
            "timeTo" => FromUnixTime(T(Arg(0))),
            "timeGroup" => $"UNIX_TIMESTAMP({args[0]}) DIV {Seconds(args[1])} * {Seconds(args[1])}",
            "timeGroupAlias" => $"UNIX_TIMESTAMP({args[0]}) DIV {Seconds(args[1])} * {Seconds(args[1])} AS \"time\"",
            "unixEpochFilter" => $"{args[0]} >= {F(Arg(1))} AND {args[0]} <= {T(Arg(1))}",
            "unixEpochFrom" => F(Arg(0)).ToString(CultureInfo.InvariantCulture),
            "unixEpochTo" => T(Arg(0)).ToString(CultureInfo.InvariantCulture),
            "unixEpochNanoFilter" => $"{args[0]} >= {Nano(ctx.From, Arg(1))} AND {args[0]} <= {Nano(ctx.To, Arg(1))}",
            "unixEpochNanoFrom" => Nano(ctx.From, Arg(0)).ToString(CultureInfo.InvariantCulture),
            "unixEpochNanoTo" => Nano(ctx.To, Arg(0)).ToString(CultureInfo.InvariantCulture),
            "unixEpochGroup" => $"{args[0]} DIV {Seconds(args[1])} * {Seconds(args[1])}",
            "unixEpochGroupAlias" => $"{args[0]} DIV {Seconds(args[1])} * {Seconds(args[1])} AS \"time\"",
            _ => throw new InvalidOperationException($"macro $__{name} is not known to this expander"),
        };
    }

    // FROM_UNIXTIME refuses negative values: Grafana adds seconds to the epoch instead.
    private static string FromUnixTime(long t) =>
        t < 0 ? $"DATE_ADD(FROM_UNIXTIME(0), INTERVAL {t} SECOND)" : $"FROM_UNIXTIME({t})";

    private static long Truncate(long t, string? interval) =>
        interval == null ? t : t - t % (long)ParseInterval(interval).TotalSeconds;

    private static long Nano(DateTimeOffset t, string? interval)
    {
        var nano = (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        return interval == null ? nano : nano - nano % (ParseInterval(interval).Ticks * 100);
    }

    private static string[] SplitArgs(string text) =>
        text.Length == 0 ? [] : text.Split(',').Select(a => a.Trim()).ToArray();

    [GeneratedRegex(@"\$__(\w+)\(([^()]*)\)")]
    private static partial Regex Macro();

    [GeneratedRegex(@"^(\d+)(ms|s|m|h|d|w|y)$")]
    private static partial Regex IntervalText();

    // Grafana refuses queries that read the connection's own identity or grants.
    [GeneratedRegex(@"(?i)\b(current_user|session_user\s*\(|system_user\s*\(|user\s*\(|show\s+grants)")]
    private static partial Regex Refused();
}
