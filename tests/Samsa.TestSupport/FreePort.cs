using System.Net;
using System.Net.Sockets;

namespace Samsa.TestSupport;

/// <summary>
/// Free TCP ports on 127.0.0.1 for tests that must know a port before anything listens on it,
/// each handed out at most once per test run.
/// </summary>
/// <remarks>
/// The ports come from below the kernel's ephemeral range. A port the OS picks for a port-0 bind is
/// an ephemeral one, and once released the kernel may give it as the local port of any outgoing
/// connection another test opens in the meantime; the later bind then fails with "address in use"
/// (and a connect to it from a client whose local port happens to equal it succeeds by TCP
/// self-connect). Ports below the range are never handed out implicitly.
/// </remarks>
public static class FreePort
{
    private static readonly HashSet<int> s_handedOut = [];
    private static readonly (int Low, int High) s_range = PickRange();
    private static int s_next = Random.Shared.Next(s_range.Low, s_range.High);

    public static int Next()
    {
        lock (s_handedOut)
        {
            for (int tried = 0; tried < s_range.High - s_range.Low; tried++)
            {
                int port = s_next;
                s_next = s_next + 1 >= s_range.High ? s_range.Low : s_next + 1;
                if (!s_handedOut.Contains(port) && CanBind(port))
                {
                    s_handedOut.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"no free TCP port on 127.0.0.1 in [{s_range.Low}, {s_range.High})");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Up to 12,000 ports just below the ephemeral range (Linux's is 32768-60999 by default).</summary>
    private static (int Low, int High) PickRange()
    {
        int ephemeralLow = 32768;
        try
        {
            string text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range");
            string[] parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && int.TryParse(parts[0], out int low)) ephemeralLow = low;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        int high = Math.Max(ephemeralLow, 2048);
        return (Math.Max(1024, high - 12_000), high);
    }
}
