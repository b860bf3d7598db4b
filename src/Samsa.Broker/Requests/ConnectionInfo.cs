using System.Net;

namespace Samsa.Broker.Requests;

/// <summary>What a handler may know about the connection a request came on. One per connection.</summary>
public sealed class ConnectionInfo
{
    public ConnectionInfo(string connectionId, string listenerName, string securityProtocol, EndPoint? remoteEndPoint, EndPoint? localEndPoint)
    {
        ConnectionId = connectionId;
        ListenerName = listenerName;
        SecurityProtocol = securityProtocol;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>Unique per connection for the life of the process (used in logs).</summary>
    public string ConnectionId { get; }

    /// <summary>The listener the client connected to, e.g. <c>PLAINTEXT</c>.</summary>
    public string ListenerName { get; }

    public string SecurityProtocol { get; }
    public EndPoint? RemoteEndPoint { get; }
    public EndPoint? LocalEndPoint { get; }

    /// <summary>The client's IP address, when the transport has one.</summary>
    public IPAddress? RemoteAddress => (RemoteEndPoint as IPEndPoint)?.Address;

    public override string ToString() => $"{ConnectionId} {RemoteEndPoint} -> {ListenerName}";
}
