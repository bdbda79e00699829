namespace ClusterWatch.Core.Sources.Transport;

/// <summary>The four OpenSSH client settings ClusterWatch honours for a host (null: not set).</summary>
public sealed record OpenSshHostEntry(string? HostName, string? User, int? Port, string? IdentityFile);

/// <summary>
/// Reads `Host` blocks of an OpenSSH client config (~/.ssh/config) for HostName, User, Port and IdentityFile only.
/// As in OpenSSH the first value found for a key wins, patterns take * ? and !negation, "Key=Value" is accepted,
/// %h in HostName is the alias, ~ in IdentityFile is the home folder. Match blocks and Include are not followed.
/// </summary>
public static class OpenSshConfig
{
    public static OpenSshHostEntry Lookup(string configText, string alias, string home)
    {
        string? hostName = null, user = null, identity = null;
        int? port = null;
        var active = true; // lines before the first Host block apply to every host
        foreach (var raw in configText.Split('\n'))
        {
            var (key, value) = Split(raw);
            if (key == null)
                continue;
            switch (key)
            {
                case "host":
                    active = HostMatches(value, alias);
                    continue;
                case "match":
                    active = false;
                    continue;
            }
            if (!active)
                continue;
            var first = FirstArg(value);
            switch (key)
            {
                case "hostname":
                    hostName ??= first.Replace("%h", alias, StringComparison.Ordinal);
                    break;
                case "user":
                    user ??= first;
                    break;
                case "port":
                    if (port == null && int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p))
                        port = p;
                    break;
                case "identityfile":
                    identity ??= ExpandHome(first, home);
                    break;
            }
        }
        return new OpenSshHostEntry(hostName, user, port, identity);
    }

    /// <summary>"~/x" → home/x.</summary>
    public static string ExpandHome(string path, string home) =>
        path == "~" ? home : path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, path[2..]) : path;

    private static (string? Key, string Value) Split(string raw)
    {
        var line = raw.Trim();
        if (line.Length == 0 || line[0] == '#')
            return (null, "");
        var cut = line.IndexOfAny([' ', '\t', '=']);
        if (cut < 0)
            return (line.ToLowerInvariant(), "");
        var key = line[..cut].ToLowerInvariant();
        var value = line[cut..].TrimStart(' ', '\t');
        if (value.StartsWith('='))
            value = value[1..].TrimStart(' ', '\t');
        return (key, value.Trim());
    }

    private static string FirstArg(string value)
    {
        if (value.StartsWith('"'))
        {
            var end = value.IndexOf('"', 1);
            return end < 0 ? value[1..] : value[1..end];
        }
        var sp = value.IndexOfAny([' ', '\t']);
        return sp < 0 ? value : value[..sp];
    }

    private static bool HostMatches(string patterns, string alias)
    {
        var hit = false;
        foreach (var p in patterns.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            if (p.StartsWith('!'))
            {
                if (Glob(p[1..], alias))
                    return false;
            }
            else if (Glob(p, alias))
                hit = true;
        }
        return hit;
    }

    private static bool Glob(string pattern, string text) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, text, ignoreCase: true);
}
