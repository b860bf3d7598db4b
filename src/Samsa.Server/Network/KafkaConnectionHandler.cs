using System.Net;
using System.Threading;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Config;
using Samsa.Broker.Requests;

namespace Samsa.Server.Network;

/// <summary>
/// Kestrel's entry point for one Kafka listener: admits the connection against
/// <c>max.connections</c>, then runs a <see cref="KafkaConnection"/> until it closes.
/// </summary>
internal sealed class KafkaConnectionHandler
{
    private static long s_nextConnectionId;

    private readonly ListenerEndpoint _listener;
    private readonly RequestDispatcher _dispatcher;
    private readonly ConnectionLimiter _limiter;
    private readonly int _maxFrameSize;
    private readonly long _idleMs;
    private readonly CancellationToken _stopping;
    private readonly ILogger _logger;

    public KafkaConnectionHandler(ListenerEndpoint listener, RequestDispatcher dispatcher, ConnectionLimiter limiter,
        BrokerConfig config, IHostApplicationLifetime lifetime, ILogger logger)
    {
        _listener = listener;
        _dispatcher = dispatcher;
        _limiter = limiter;
        _maxFrameSize = config.SocketRequestMaxBytes;
        _idleMs = config.ConnectionsMaxIdleMs;
        _stopping = lifetime.ApplicationStopping;
        _logger = logger;
    }

    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        var address = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (!_limiter.TryAcquire(address, out var reason))
        {
            _logger.LogWarning("Refused connection from {Remote} on {Listener}: {Reason}", connection.RemoteEndPoint, _listener.Name, reason);
            connection.Abort(new ConnectionAbortedException(reason!));
            return;
        }
        try
        {
            long id = Interlocked.Increment(ref s_nextConnectionId);
            var info = new ConnectionInfo($"conn-{id}", _listener.Name, _listener.SecurityProtocol, connection.RemoteEndPoint, connection.LocalEndPoint);
            _logger.LogDebug("Accepted {Connection}", info);
            await new KafkaConnection(connection, _dispatcher, info, _maxFrameSize, _idleMs, _logger).RunAsync(_stopping);
            _logger.LogDebug("Closed {Connection}", info);
        }
        finally
        {
            _limiter.Release(address);
        }
    }
}
