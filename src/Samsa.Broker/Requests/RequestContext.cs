using Samsa.Protocol;

namespace Samsa.Broker.Requests;

/// <summary>
/// One request as a handler sees it: the parsed header and the connection. Valid until the
/// handler's response (including a deferred one) has completed.
/// </summary>
public sealed class RequestContext
{
    public RequestContext(ConnectionInfo connection, ApiKey apiKey, short apiVersion, int correlationId, string? clientId, CancellationToken cancellationToken)
    {
        Connection = connection;
        ApiKey = apiKey;
        ApiVersion = apiVersion;
        CorrelationId = correlationId;
        ClientId = clientId;
        CancellationToken = cancellationToken;
    }

    public ConnectionInfo Connection { get; }
    public ApiKey ApiKey { get; }

    /// <summary>The request's version; the response is written at the same version.</summary>
    public short ApiVersion { get; }

    public int CorrelationId { get; }

    /// <summary>The header's client id (null when the client sent none).</summary>
    public string? ClientId { get; }

    /// <summary>Cancelled when the connection closes or the broker shuts down.</summary>
    public CancellationToken CancellationToken { get; }

    public override string ToString() =>
        $"{ApiKey} v{ApiVersion} correlation {CorrelationId} client '{ClientId}' on {Connection}";
}
