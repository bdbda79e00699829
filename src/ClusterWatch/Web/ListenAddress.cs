using System.Globalization;
using System.Net;

namespace ClusterWatch.Web;

/// <summary>
/// Where the dashboard listens, parsed from Web:Listen ("127.0.0.1:8080", "[::1]:8080", "localhost:8080",
/// "0.0.0.0:8080"). Only 127.0.0.1, ::1 and localhost count as the safe default: any other address (including other
/// 127.x addresses, which other local users can reach just as well) needs a token.
/// </summary>
public sealed record ListenAddress(string Host, IPAddress? Address, int Port)
{
    public bool IsDefaultLoopback => Host == "localhost" || IPAddress.Loopback.Equals(Address) || IPAddress.IPv6Loopback.Equals(Address);

    /// <summary>The URL a browser on this machine would open (a wildcard address is shown as 127.0.0.1).</summary>
    public string BrowserUrl
    {
        get
        {
            var host = Address switch
            {
                null => Host,
                _ when Address.Equals(IPAddress.Any) => "127.0.0.1",
                _ when Address.Equals(IPAddress.IPv6Any) => "[::1]",
                { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } => $"[{Address}]",
                _ => Address.ToString(),
            };
            return $"http://{host}:{Port.ToString(CultureInfo.InvariantCulture)}/";
        }
    }

    /// <summary>Parses Web:Listen; the error says what a valid value looks like.</summary>
    public static bool TryParse(string text, out ListenAddress? result, out string error)
    {
        result = null;
        error = "";
        var t = text.Trim();
        var colon = t.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(t[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{text}' is not an address with a port; write it like 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080";
            return false;
        }
        var host = t[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            result = new ListenAddress("localhost", null, port);
            return true;
        }
        if (!IPAddress.TryParse(host, out var ip))
        {
            error = $"'{host}' is not an IP address; give the address to bind (e.g. 127.0.0.1, 0.0.0.0, ::), not a host name";
            return false;
        }
        result = new ListenAddress(host, ip, port);
        return true;
    }
}
