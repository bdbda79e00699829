namespace ClusterWatch.Core.Sources.Transport;

/// <summary>
/// Where and how to reach one node over SSH: the configuration, resolved (OpenSSH config applied, defaults filled).
/// </summary>
/// <param name="Name">Configured node name.</param>
/// <param name="Host">Host name or address to connect to.</param>
/// <param name="Port">TCP port.</param>
/// <param name="User">Login user on the node.</param>
/// <param name="KeyFile">Private key file.</param>
/// <param name="Passphrase">The key's passphrase (read from an environment variable or a file; never logged).</param>
/// <param name="KnownHostsFile">known_hosts file the host key must be in.</param>
/// <param name="ConnectTimeout">Bound on TCP connect + key exchange + authentication.</param>
/// <param name="KeepAlive">SSH keep-alive interval (detects a path that dropped without FIN/RST).</param>
/// <param name="Compression">Ask for zlib@openssh.com compression (fewer bytes on the wire, some CPU on both ends).</param>
public sealed record SshEndpoint(
    string Name,
    string Host,
    int Port,
    string User,
    string KeyFile,
    string? Passphrase,
    string KnownHostsFile,
    TimeSpan ConnectTimeout,
    TimeSpan KeepAlive,
    bool Compression = false)
{
    /// <summary>host:port, for messages and the nodes table.</summary>
    public string Address => $"{Host}:{Port}";

    /// <summary>Passphrases are secrets: never printed.</summary>
    public override string ToString() => $"{Name} ({User}@{Address}, key {KeyFile})";
}

/// <summary>Exponential back-off between reconnects: base, 2×base, 4×base … capped.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int failures, TimeSpan first, TimeSpan max)
    {
        if (failures <= 0)
            return TimeSpan.Zero;
        var factor = Math.Pow(2, Math.Min(failures - 1, 20));
        return TimeSpan.FromTicks((long)Math.Min(max.Ticks, first.Ticks * factor));
    }
}
