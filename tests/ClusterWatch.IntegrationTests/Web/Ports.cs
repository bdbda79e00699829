using System.Net;
using System.Net.Sockets;

namespace ClusterWatch.IntegrationTests.Web;

/// <summary>Free TCP ports from this suite's range (18080-18199), checked by binding; never the same one twice per run.</summary>
internal static class Ports
{
    private static int _next = 18080 + (Environment.ProcessId % 40);

    public static int Free(string address = "127.0.0.1")
    {
        for (var tries = 0; tries < 120; tries++)
        {
            var port = 18080 + ((Interlocked.Increment(ref _next) - 18080) % 120);
            try
            {
                using var l = new TcpListener(IPAddress.Parse(address), port);
                l.Start();
                l.Stop();
                return port;
            }
            catch (SocketException)
            {
            }
        }
        throw new InvalidOperationException("no free port in 18080-18199");
    }
}
