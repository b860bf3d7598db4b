using System.Net;
using System.Net.Sockets;

namespace Samsa.Client.Tests.Integration;

/// <summary>
/// A TCP proxy in front of a broker that can break things: while <see cref="Faulty"/> is on, each
/// chunk passing through is dropped together with the connection with probability
/// <see cref="DropProbability"/>: a chunk from the broker means requests it already handled lose
/// their responses, a chunk from the client means requests that never arrive (or arrive cut off).
/// Clients must retry either way. Listens on 127.0.0.1 (port 0 unless given).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _pairs = [];
    private readonly Task _acceptLoop;
    private readonly Random _random = new(12345);
    private int _drops;

    public FaultProxy(int targetPort, int listenPort = 0)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public volatile bool Faulty;

    private volatile bool _down;

    /// <summary>While down, the broker looks stopped: open connections are cut and new ones closed at once.</summary>
    public bool Down
    {
        get => _down;
        set
        {
            _down = value;
            if (value) DropAll();
        }
    }

    public double DropProbability { get; set; } = 0.02;

    /// <summary>How many connections were cut while requests or responses were on their way.</summary>
    public int Drops => Volatile.Read(ref _drops);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            if (_down)
            {
                client.Dispose();
                continue;
            }
            // Each connection dials the broker on its own: one connect that hangs (a SYN lost and
            // retried for up to two minutes) must not hold up every connection accepted after it.
            _ = ConnectAndPumpAsync(client);
        }
    }

    private async Task ConnectAndPumpAsync(TcpClient client)
    {
        var upstream = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, timeout.Token);
        }
        catch (Exception)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        if (_down)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        client.NoDelay = true;
        lock (_pairs) _pairs.Add((client, upstream));
        _ = PumpAsync(client, upstream, client.GetStream(), upstream.GetStream());
        _ = PumpAsync(client, upstream, upstream.GetStream(), client.GetStream());
    }

    private async Task PumpAsync(TcpClient client, TcpClient upstream, NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0) break;
                if (Faulty)
                {
                    bool drop;
                    lock (_random) drop = _random.NextDouble() < DropProbability;
                    if (drop)
                    {
                        Interlocked.Increment(ref _drops);
                        break;
                    }
                }
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception)
        {
        }
        client.Dispose();
        upstream.Dispose();
    }

    /// <summary>Cuts every open connection now.</summary>
    public void DropAll()
    {
        lock (_pairs)
        {
            foreach (var (c, u) in _pairs)
            {
                c.Dispose();
                u.Dispose();
            }
            _pairs.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        DropAll();
        try { await _acceptLoop; } catch (Exception) { }
        _stop.Dispose();
    }
}
