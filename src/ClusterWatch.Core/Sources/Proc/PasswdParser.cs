namespace ClusterWatch.Core.Sources.Proc;

/// <summary>Parses passwd lines (name:x:uid:gid:…) as `getent passwd` prints them.</summary>
public static class PasswdParser
{
    public static Dictionary<int, string> Parse(string text)
    {
        var map = new Dictionary<int, string>();
        foreach (var raw in text.Split('\n'))
        {
            var parts = raw.Split(':');
            if (parts.Length < 3 || parts[0].Length == 0)
                continue;
            if (int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var uid))
                map.TryAdd(uid, parts[0]);
        }
        return map;
    }
}
