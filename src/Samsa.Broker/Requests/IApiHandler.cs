using Samsa.Protocol;

namespace Samsa.Broker.Requests;

/// <summary>
/// Serves one API key. Register implementations in DI as <see cref="IApiHandler"/>; ApiVersions
/// advertises exactly the registered keys, each with [MinVersion, MaxVersion] intersected with the
/// schema's range. Most handlers derive from <see cref="ApiHandler{TRequest}"/>.
/// </summary>
public interface IApiHandler
{
    ApiKey ApiKey { get; }

    /// <summary>Lowest version served.</summary>
    short MinVersion { get; }

    /// <summary>Highest version served.</summary>
    short MaxVersion { get; }

    /// <summary>
    /// Handles one request. <paramref name="body"/> is the request body after the header; it stays
    /// valid until the returned response (a deferred one included) has completed. Calls on one
    /// connection never overlap: the next request of the connection is dispatched only after this
    /// task completes, so do the order-sensitive part (appending to a log) before completing, and
    /// return <see cref="ApiResponse.Later"/> to wait without holding the connection up.
    /// </summary>
    ValueTask<ApiResponse> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body);
}

/// <summary>A handler of one generated request type; parsing is done here.</summary>
public abstract class ApiHandler<TRequest> : IApiHandler
    where TRequest : class, IKafkaApiMessage<TRequest>
{
    public ApiKey ApiKey => TRequest.ApiKey;
    public abstract short MinVersion { get; }
    public abstract short MaxVersion { get; }

    public ValueTask<ApiResponse> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body)
    {
        var reader = new KafkaReader(body);
        // A malformed body throws KafkaProtocolException here; the connection logs it and closes.
        var request = TRequest.Read(ref reader, context.ApiVersion);
        return HandleAsync(context, request);
    }

    /// <summary>Handles the parsed request (see <see cref="IApiHandler.HandleAsync"/> for the rules).</summary>
    protected abstract ValueTask<ApiResponse> HandleAsync(RequestContext context, TRequest request);
}
