using System.Net;
using System.Net.Sockets;

namespace Samsa.TestSupport;

/// <summary>A raw listening socket on 127.0.0.1 at a port the OS picks, for tests that play the peer.</summary>
public static class LoopbackListener
{
    public static Socket Open(int backlog, out int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(backlog);
        port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        return listener;
    }
}
