using System.Globalization;
using ClusterWatch.Core.Sources.Transport;
using Microsoft.Extensions.Configuration;

namespace ClusterWatch.Configuration;

/// <summary>One configured SSH node, resolved: where and how to connect, which source, how to reconnect.</summary>
public sealed record NodeConfig(SshEndpoint Endpoint, string Source, ReconnectPolicy Reconnect);

/// <summary>
/// Reads the "Nodes" list and the "NodeDefaults" section of clusterwatch.json. A node's own value wins, then its
/// Host entry in the OpenSSH config (HostName, User, Port, IdentityFile), then NodeDefaults, then built-ins.
/// Every problem names its key ("Nodes:2:Port") and the fix. Passphrases come from an environment variable or a
/// file, never from the configuration itself.
/// </summary>
public static class NodesConfig
{
    private static readonly Dictionary<string, string> NoFlags = [];

    private static readonly string[] NodeKeys = ["Name", "Host", "Port", "User", "KeyFile", "PassphraseEnv", "PassphraseFile", "Source", "KnownHosts"];

    private static readonly string[] DefaultKeys =
        [.. NodeKeys.Where(k => k is not ("Name" or "Host")), "SshConfig", "ConnectTimeout", "KeepAlive", "ReconnectFirst", "ReconnectMax", "Compression"];

    /// <summary>The configured nodes (empty when there is no Nodes section: the watcher then watches the local machine).</summary>
    public static IReadOnlyList<NodeConfig> Read(IConfiguration? raw, string defaultSource, string? home = null)
    {
        if (raw == null)
            return [];
        home ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var errors = new List<ConfigError>();
        var defaults = raw.GetSection("NodeDefaults");
        CheckKeys(defaults, "NodeDefaults", DefaultKeys, errors);
        var sshConfigPath = OpenSshConfig.ExpandHome(defaults["SshConfig"] ?? "~/.ssh/config", home);
        var sshConfig = File.Exists(sshConfigPath) ? File.ReadAllText(sshConfigPath) : "";
        var connectTimeout = Duration(defaults, "NodeDefaults:ConnectTimeout", "ConnectTimeout", TimeSpan.FromSeconds(10), errors);
        var keepAlive = Duration(defaults, "NodeDefaults:KeepAlive", "KeepAlive", TimeSpan.FromSeconds(15), errors);
        var reconnect = new ReconnectPolicy(
            Duration(defaults, "NodeDefaults:ReconnectFirst", "ReconnectFirst", TimeSpan.FromSeconds(5), errors),
            Duration(defaults, "NodeDefaults:ReconnectMax", "ReconnectMax", TimeSpan.FromSeconds(60), errors));
        var compression = defaults["Compression"] is { Length: > 0 } c
            ? bool.TryParse(c, out var b) ? b : AddError(errors, "NodeDefaults:Compression", $"'{c}' is not true or false")
            : true; // zlib@openssh.com: 15-30× fewer bytes on the wire per sample for a few % more CPU (docs/benchmarks.md)
        var nodes = new List<NodeConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in raw.GetSection("Nodes").GetChildren().OrderBy(e => int.TryParse(e.Key, out var i) ? i : int.MaxValue))
        {
            var at = $"Nodes:{entry.Key}";
            // A bare string is a node whose name is also its host (or OpenSSH alias).
            if (entry.Value is { Length: > 0 } bare)
            {
                nodes.Add(Resolve(at, bare, null, null, defaults, sshConfig, home, defaultSource, connectTimeout, keepAlive, compression, reconnect, errors));
                continue;
            }
            CheckKeys(entry, at, NodeKeys, errors);
            var name = entry["Name"];
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add(new ConfigError($"{at}:Name", "every node needs a Name (it is stored in the database and shown everywhere)"));
                continue;
            }
            if (!names.Add(name))
                errors.Add(new ConfigError($"{at}:Name", $"'{name}' is used by another node; names must be unique"));
            nodes.Add(Resolve(at, name, entry, entry["Host"], defaults, sshConfig, home, defaultSource, connectTimeout, keepAlive, compression, reconnect, errors));
        }
        if (errors.Count > 0)
            throw new ConfigException(ConfigOrigins.Locate(raw, errors, NoFlags));
        return nodes;
    }

    private static NodeConfig Resolve(
        string at, string name, IConfigurationSection? node, string? host, IConfigurationSection defaults, string sshConfig,
        string home, string defaultSource, TimeSpan connectTimeout, TimeSpan keepAlive, bool compression, ReconnectPolicy reconnect, List<ConfigError> errors)
    {
        string? Own(string key) => node?[key] is { Length: > 0 } v ? v : null;
        string? Default(string key) => defaults[key] is { Length: > 0 } v ? v : null;
        string KeyOf(string key) => Own(key) != null ? $"{at}:{key}" : $"NodeDefaults:{key}";
        var alias = host ?? name;
        var ssh = OpenSshConfig.Lookup(sshConfig, alias, home);
        var hostName = host != null ? ssh.HostName ?? host : ssh.HostName ?? name;
        var portText = Own("Port") ?? (ssh.Port?.ToString(CultureInfo.InvariantCulture)) ?? Default("Port") ?? "22";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            errors.Add(new ConfigError(KeyOf("Port"), $"'{portText}' is not a TCP port (1-65535)"));
            port = 22;
        }
        var user = Own("User") ?? ssh.User ?? Default("User") ?? Environment.UserName;
        var keyFile = OpenSshConfig.ExpandHome(Own("KeyFile") ?? ssh.IdentityFile ?? Default("KeyFile") ?? DefaultKey(home), home);
        if (!File.Exists(keyFile))
            errors.Add(new ConfigError(Own("KeyFile") != null || Default("KeyFile") != null ? KeyOf("KeyFile") : $"{at}:KeyFile", $"key file '{keyFile}' does not exist; set KeyFile (or IdentityFile in the OpenSSH config)"));
        var knownHosts = OpenSshConfig.ExpandHome(Own("KnownHosts") ?? Default("KnownHosts") ?? "~/.ssh/known_hosts", home);
        var source = Own("Source") ?? Default("Source") ?? defaultSource;
        if (source is not ("proc" or "top"))
            errors.Add(new ConfigError(KeyOf("Source"), $"'{source}' is not a source; use proc or top"));
        var passphrase = Passphrase(Own("PassphraseEnv") ?? Default("PassphraseEnv"), Own("PassphraseFile") ?? Default("PassphraseFile"), KeyOf("PassphraseEnv"), KeyOf("PassphraseFile"), home, errors);
        var endpoint = new SshEndpoint(name, hostName, port, user, keyFile, passphrase, knownHosts, connectTimeout, keepAlive, compression);
        return new NodeConfig(endpoint, source, reconnect);
    }

    private static string? Passphrase(string? env, string? file, string envKey, string fileKey, string home, List<ConfigError> errors)
    {
        if (env != null)
        {
            var value = Environment.GetEnvironmentVariable(env);
            if (value == null)
                errors.Add(new ConfigError(envKey, $"environment variable '{env}' is not set; export it with the key's passphrase"));
            return value;
        }
        if (file == null)
            return null;
        var path = OpenSshConfig.ExpandHome(file, home);
        try
        {
            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(fileKey, $"cannot read passphrase file '{path}': {e.Message}"));
            return null;
        }
    }

    private static string DefaultKey(string home)
    {
        foreach (var k in new[] { "id_ed25519", "id_ecdsa", "id_rsa" })
            if (File.Exists(Path.Combine(home, ".ssh", k)))
                return Path.Combine(home, ".ssh", k);
        return Path.Combine(home, ".ssh", "id_ed25519");
    }

    private static readonly TimeSpan MaxNodeTiming = TimeSpan.FromDays(1);

    private static TimeSpan Duration(IConfigurationSection section, string key, string child, TimeSpan fallback, List<ConfigError> errors)
    {
        var text = section[child];
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        // Each becomes a timer (SSH.NET's connect timeout, keep-alive, back-off; `nodes check` waits twice the connect
        // bound): a day is far past any useful value and far inside what a timer takes.
        if (Durations.TryParse(text, out var v) && v > TimeSpan.Zero && v <= MaxNodeTiming)
            return v;
        errors.Add(new ConfigError(key, $"'{text}' is not a positive duration of at most {Durations.Format(MaxNodeTiming)}; write it like 10s or 1m"));
        return fallback;
    }

    private static bool AddError(List<ConfigError> errors, string key, string message)
    {
        errors.Add(new ConfigError(key, message));
        return false;
    }

    private static void CheckKeys(IConfigurationSection section, string at, string[] keys, List<ConfigError> errors)
    {
        foreach (var child in section.GetChildren())
            if (!keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                errors.Add(new ConfigError($"{at}:{child.Key}", $"unknown key; a node accepts {string.Join(", ", keys)}"));
    }
}
