using Samsa.Protocol;

namespace Samsa.Broker.Requests;

/// <summary>
/// What a handler hands back: a response message, no response at all (acks=0 produce), or a
/// deferred response that completes later (acks=all produce, fetch long poll). The connection
/// writes responses in request order whatever order they complete in.
/// </summary>
public readonly struct ApiResponse
{
    private ApiResponse(IKafkaMessage? message, short version, Task<ApiResponse>? deferred, IDisposable? resources)
    {
        Message = message;
        Version = version;
        Deferred = deferred;
        Resources = resources;
    }

    /// <summary>Nothing is sent back (Kafka's acks=0 produce).</summary>
    public static ApiResponse None => default;

    /// <summary>The response message, written at the request's version.</summary>
    /// <param name="resources">Disposed once the bytes are written (pooled fetch buffers, ...).</param>
    public static ApiResponse Of(IKafkaMessage message, IDisposable? resources = null) => new(message, -1, null, resources);

    /// <summary>The response at a version other than the request's (only the ApiVersions fallback needs this).</summary>
    public static ApiResponse OfVersion(IKafkaMessage message, short version) => new(message, version, null, null);

    /// <summary>A response that completes later; later requests of the connection are dispatched meanwhile.</summary>
    public static ApiResponse Later(Task<ApiResponse> completion) => new(null, -1, completion, null);

    public IKafkaMessage? Message { get; }

    /// <summary>-1: the request's version.</summary>
    public short Version { get; }

    public Task<ApiResponse>? Deferred { get; }
    public IDisposable? Resources { get; }

    /// <summary>True when nothing is sent back.</summary>
    public bool IsNone => Message is null && Deferred is null;
}
