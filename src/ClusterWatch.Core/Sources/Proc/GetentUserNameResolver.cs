using System.Diagnostics;
using System.Globalization;

namespace ClusterWatch.Core.Sources.Proc;

/// <summary>
/// Resolves uids through the local account database with `getent passwd` (so LDAP/SSSD users resolve), cached.
/// The whole database is loaded once; an unknown uid is asked for on its own, at most once per minute.
/// getent is started with an argument list, never through a shell.
/// </summary>
public sealed class GetentUserNameResolver : IUserNameResolver
{
    private readonly Dictionary<int, string> _names = new();
    private readonly Dictionary<int, DateTime> _misses = new();
    private readonly Func<IReadOnlyList<string>, string?> _run;

    public GetentUserNameResolver(Func<IReadOnlyList<string>, string?>? run = null)
    {
        _run = run ?? RunGetent;
        var all = _run(["passwd"]);
        if (all != null)
            foreach (var (uid, name) in PasswdParser.Parse(all))
                _names[uid] = name;
    }

    public string Resolve(int uid)
    {
        if (_names.TryGetValue(uid, out var name))
            return name;
        var now = DateTime.UtcNow;
        if (!_misses.TryGetValue(uid, out var last) || now - last > TimeSpan.FromMinutes(1))
        {
            _misses[uid] = now;
            var one = _run(["passwd", uid.ToString(CultureInfo.InvariantCulture)]);
            if (one != null && PasswdParser.Parse(one).TryGetValue(uid, out name))
            {
                _names[uid] = name;
                _misses.Remove(uid);
                return name;
            }
        }
        name = uid.ToString(CultureInfo.InvariantCulture);
        return name;
    }

    private static string? RunGetent(IReadOnlyList<string> args)
    {
        try
        {
            var psi = new ProcessStartInfo("getent") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in args)
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            if (p == null)
                return null;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit(5000);
            return text;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
