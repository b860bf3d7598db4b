using System.Net;
using System.Net.Sockets;

namespace Samsa.TestSupport;

/// <summary>
/// Free TCP ports on 127.0.0.1, each handed out at most once per test run (so two fixtures started
/// in parallel never get the same port from the OS in between).
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> s_handedOut = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (s_handedOut)
            {
                if (s_handedOut.Add(port)) return port;
            }
        }
    }
}
