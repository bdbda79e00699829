using System.Net.Sockets;
using ClusterWatch.Core.Model;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ClusterWatch.Core.Sources.Transport;

/// <summary>The key a node presented at its last connection attempt (for `nodes trust` and messages).</summary>
public sealed record PresentedHostKey(string KeyType, byte[] Blob)
{
    public string Fingerprint => KnownHosts.Fingerprint(Blob);
}

/// <summary>
/// Opens one authenticated SSH connection to a node, with the host key checked against known_hosts at every connect
/// (reconnects included). Failures become <see cref="NodeSourceException"/>s with the node state and a message
/// that names the node and the reason — never SSH.NET's bare "Key exchange negotiation failed".
/// </summary>
public static class SshConnector
{
    public static async Task<SshClient> ConnectAsync(SshEndpoint ep, CancellationToken ct, Action<PresentedHostKey>? seen = null, bool acceptAnyKey = false)
    {
        var info = new ConnectionInfo(ep.Host, ep.Port, ep.User, new PrivateKeyAuthenticationMethod(ep.User, LoadKey(ep)))
        {
            Timeout = ep.ConnectTimeout,
        };
        if (ep.Compression)
        {
            info.CompressionAlgorithms.Clear();
            info.CompressionAlgorithms.Add("zlib@openssh.com", () => new Renci.SshNet.Compression.ZlibOpenSsh());
            info.CompressionAlgorithms.Add("none", null);
        }
        HostKeyCheck? check = null;
        PresentedHostKey? presented = null;
        var client = new SshClient(info);
        client.HostKeyReceived += (_, e) =>
        {
            presented = new PresentedHostKey(e.HostKeyName, e.HostKey);
            seen?.Invoke(presented);
            check = KnownHosts.Check(ReadKnownHosts(ep.KnownHostsFile), ep.Host, ep.Port, e.HostKeyName, e.HostKey);
            e.CanTrust = acceptAnyKey || check.Verdict == HostKeyVerdict.Trusted;
        };
        try
        {
            await client.ConnectAsync(ct);
            client.KeepAliveInterval = ep.KeepAlive;
            return client;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            client.Dispose();
            if (check is { Verdict: not HostKeyVerdict.Trusted } && presented != null && !acceptAnyKey)
                throw HostKeyRefused(ep, check, presented);
            throw Classify(ep, e);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    internal static NodeSourceException HostKeyRefused(SshEndpoint ep, HostKeyCheck check, PresentedHostKey presented)
    {
        var name = KnownHosts.HostName(ep.Host, ep.Port);
        if (check.Verdict == HostKeyVerdict.Unknown)
            return new NodeSourceException(NodeState.HostKeyUnknown,
                $"host key of {ep.Name} ({name}) is not in {ep.KnownHostsFile}: it presented {presented.KeyType} {presented.Fingerprint}; " +
                $"if that is the node's key, accept it with `clusterwatch nodes trust {ep.Name}`");
        return new NodeSourceException(NodeState.HostKeyChanged,
            $"HOST KEY CHANGED for {ep.Name} ({name}): {ep.KnownHostsFile} holds {string.Join(", ", check.StoredFingerprints)} " +
            $"but the node presented {presented.KeyType} {presented.Fingerprint}; refused (a reinstalled node, or someone in the middle). " +
            $"If the change is expected, accept the new key with `clusterwatch nodes trust {ep.Name}`");
    }

    private static NodeSourceException Classify(SshEndpoint ep, Exception e) => e switch
    {
        SshAuthenticationException => new NodeSourceException(NodeState.AuthFailed,
            $"{ep.Name}: authentication as {ep.User} with key {ep.KeyFile} refused ({e.Message})", e),
        SocketException se => new NodeSourceException(NodeState.Down, $"{ep.Name}: cannot connect to {ep.Address}: {se.Message}", e),
        SshOperationTimeoutException => new NodeSourceException(NodeState.Down, $"{ep.Name}: no SSH answer from {ep.Address} within {ep.ConnectTimeout.TotalSeconds:0.#} s", e),
        NodeSourceException ne => ne,
        _ => new NodeSourceException(NodeState.Down, $"{ep.Name}: SSH connection to {ep.Address} failed: {e.Message}", e),
    };

    private static PrivateKeyFile LoadKey(SshEndpoint ep)
    {
        try
        {
            return ep.Passphrase == null ? new PrivateKeyFile(ep.KeyFile) : new PrivateKeyFile(ep.KeyFile, ep.Passphrase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException or ArgumentException or InvalidOperationException)
        {
            throw new NodeSourceException(NodeState.AuthFailed, $"{ep.Name}: cannot load key file {ep.KeyFile}: {e.Message}", e);
        }
    }

    private static string ReadKnownHosts(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
