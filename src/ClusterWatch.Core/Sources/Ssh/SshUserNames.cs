using System.Globalization;
using ClusterWatch.Core.Sources.Proc;
using Renci.SshNet;

namespace ClusterWatch.Core.Sources.Ssh;

/// <summary>
/// uid → name for one node, from the node's own account database (`getent passwd` over the node's connection, so
/// LDAP/SSSD users resolve). Loaded once; an unknown uid is asked for again at most once a minute; a uid with no
/// name stays its number. Only integers we parsed ever reach the command line.
/// </summary>
public sealed class SshUserNames
{
    private readonly Dictionary<int, string> _names = new();
    private readonly Dictionary<int, DateTimeOffset> _asked = new();
    private bool _loaded;

    public string Name(int uid) =>
        uid < 0 ? "(unknown)" : _names.TryGetValue(uid, out var n) ? n : uid.ToString(CultureInfo.InvariantCulture);

    public async Task EnsureAsync(SshClient client, IEnumerable<int> uids, DateTimeOffset now, CancellationToken ct)
    {
        if (!_loaded)
        {
            Merge(await RunAsync(client, "getent passwd", ct));
            _loaded = true;
        }
        var missing = uids.Where(u => u >= 0 && !_names.ContainsKey(u)
            && (!_asked.TryGetValue(u, out var at) || now - at > TimeSpan.FromMinutes(1))).Distinct().Take(200).ToList();
        if (missing.Count == 0)
            return;
        foreach (var u in missing)
            _asked[u] = now;
        Merge(await RunAsync(client, "getent passwd " + string.Join(' ', missing.Select(u => u.ToString(CultureInfo.InvariantCulture))), ct));
    }

    private void Merge(string text)
    {
        foreach (var (uid, name) in PasswdParser.Parse(text))
            _names[uid] = name;
    }

    private static async Task<string> RunAsync(SshClient client, string command, CancellationToken ct)
    {
        using var cmd = client.CreateCommand(command);
        await cmd.ExecuteAsync(ct);
        return cmd.Result ?? "";
    }
}
