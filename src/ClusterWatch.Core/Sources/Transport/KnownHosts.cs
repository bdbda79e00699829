using System.Security.Cryptography;
using System.Text;

namespace ClusterWatch.Core.Sources.Transport;

/// <summary>How a presented host key compares with a known_hosts file.</summary>
public enum HostKeyVerdict
{
    /// <summary>An entry for the host holds exactly this key.</summary>
    Trusted,
    /// <summary>No entry names the host.</summary>
    Unknown,
    /// <summary>The host is known with other keys (or this key is @revoked): possibly a man in the middle.</summary>
    Changed,
}

/// <summary>The verdict and, when the key changed, the fingerprints of the stored keys (for the message).</summary>
public sealed record HostKeyCheck(HostKeyVerdict Verdict, IReadOnlyList<string> StoredFingerprints);

/// <summary>
/// OpenSSH known_hosts, read and written as text (pure functions; the callers do the file I/O). Host patterns may be
/// plain, "[host]:port" for ports other than 22, comma lists, * and ? wildcards, !negations, and hashed
/// (|1|salt|HMAC-SHA1). @cert-authority lines are ignored; @revoked lines refuse the key.
/// </summary>
public static class KnownHosts
{
    /// <summary>The name OpenSSH looks up for a host and port: "host" on 22, else "[host]:port".</summary>
    public static string HostName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>SHA256 fingerprint as OpenSSH prints it: "SHA256:" + unpadded base64 of the key blob's hash.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> keyBlob) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    public static HostKeyCheck Check(string knownHostsText, string host, int port, string keyType, ReadOnlySpan<byte> keyBlob)
    {
        var name = HostName(host, port);
        var presented = Convert.ToBase64String(keyBlob);
        var others = new List<string>();
        var trusted = false;
        foreach (var entry in Entries(knownHostsText))
        {
            if (entry.Marker == "@cert-authority" || !Matches(entry.Hosts, name))
                continue;
            var same = entry.KeyType == keyType && entry.KeyBase64 == presented;
            if (entry.Marker == "@revoked")
            {
                if (same)
                    return new HostKeyCheck(HostKeyVerdict.Changed, ["(this key is marked @revoked)"]);
                continue;
            }
            if (same)
                trusted = true;
            else
                others.Add($"{entry.KeyType} {FingerprintOf(entry.KeyBase64)}");
        }
        if (trusted)
            return new HostKeyCheck(HostKeyVerdict.Trusted, []);
        return new HostKeyCheck(others.Count == 0 ? HostKeyVerdict.Unknown : HostKeyVerdict.Changed, others);
    }

    /// <summary>
    /// The file's text with every plain or hashed entry for the host removed and the new key appended — what
    /// `clusterwatch nodes trust` writes. Other hosts' lines, comments and wildcard entries are kept as they were.
    /// </summary>
    public static string Replace(string knownHostsText, string host, int port, string keyType, ReadOnlySpan<byte> keyBlob)
    {
        var name = HostName(host, port);
        var sb = new StringBuilder();
        foreach (var raw in knownHostsText.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
                continue;
            var entry = ParseLine(line);
            var exact = entry is { Marker: null } && entry.Hosts.Split(',').Any(p => p == name || (p.StartsWith("|1|", StringComparison.Ordinal) && HashedMatch(p, name)));
            if (!exact)
                sb.Append(line).Append('\n');
        }
        sb.Append(name).Append(' ').Append(keyType).Append(' ').Append(Convert.ToBase64String(keyBlob)).Append('\n');
        return sb.ToString();
    }

    private sealed record Entry(string? Marker, string Hosts, string KeyType, string KeyBase64);

    private static IEnumerable<Entry> Entries(string text)
    {
        foreach (var raw in text.Split('\n'))
            if (ParseLine(raw.Trim()) is { } e)
                yield return e;
    }

    private static Entry? ParseLine(string line)
    {
        if (line.Length == 0 || line[0] == '#')
            return null;
        var f = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        string? marker = null;
        if (f.Length > 0 && f[0].StartsWith('@'))
        {
            marker = f[0];
            f = f[1..];
        }
        return f.Length >= 3 ? new Entry(marker, f[0], f[1], f[2]) : null;
    }

    /// <summary>OpenSSH semantics: any negated pattern that matches wins (no match); otherwise any positive match.</summary>
    private static bool Matches(string patterns, string name)
    {
        var hit = false;
        foreach (var p in patterns.Split(','))
        {
            if (p.StartsWith("|1|", StringComparison.Ordinal))
                hit |= HashedMatch(p, name);
            else if (p.StartsWith('!'))
            {
                if (Glob(p[1..], name))
                    return false;
            }
            else
                hit |= Glob(p, name);
        }
        return hit;
    }

    private static bool HashedMatch(string pattern, string name)
    {
        var parts = pattern.Split('|');
        if (parts.Length != 4)
            return false;
        try
        {
            var hash = HMACSHA1.HashData(Convert.FromBase64String(parts[2]), Encoding.UTF8.GetBytes(name));
            return Convert.ToBase64String(hash) == parts[3];
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Glob(string pattern, string name)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal) && !pattern.Contains('?', StringComparison.Ordinal))
            return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        return GlobAt(pattern, 0, name.ToLowerInvariant(), 0);
    }

    private static bool GlobAt(string p, int i, string s, int j)
    {
        while (i < p.Length)
        {
            var c = char.ToLowerInvariant(p[i]);
            if (c == '*')
            {
                for (var k = j; k <= s.Length; k++)
                    if (GlobAt(p, i + 1, s, k))
                        return true;
                return false;
            }
            if (j >= s.Length || (c != '?' && c != s[j]))
                return false;
            i++;
            j++;
        }
        return j == s.Length;
    }

    private static string FingerprintOf(string base64)
    {
        try
        {
            return Fingerprint(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return "(unreadable key)";
        }
    }
}
