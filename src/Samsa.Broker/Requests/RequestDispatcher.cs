using System.Buffers;
using System.Buffers.Binary;
using Samsa.Broker.Apis;
using Samsa.Protocol;

namespace Samsa.Broker.Requests;

/// <summary>
/// Transport-independent request path: parses a request header, routes the body to the registered
/// handler (or to the ApiVersions fallback of KIP-511) and writes framed responses. The network
/// layer owns sockets, framing and ordering; this class owns what the bytes mean. Thread-safe.
/// </summary>
public sealed class RequestDispatcher
{
    private readonly ApiHandlerRegistry _registry;

    public RequestDispatcher(ApiHandlerRegistry registry) => _registry = registry;

    public ApiHandlerRegistry Registry => _registry;

    /// <summary>
    /// Reads the header of one request (the frame without its 4-byte size prefix).
    /// </summary>
    /// <exception cref="RejectedRequestException">Unknown API key or a version that has no header layout.</exception>
    /// <exception cref="KafkaProtocolException">A truncated or malformed header.</exception>
    public static RequestHeaderInfo ReadHeader(ReadOnlyMemory<byte> frame, ClientIdCache clientIds)
    {
        var reader = new KafkaReader(frame);
        short apiKey = reader.ReadInt16();
        short apiVersion = reader.ReadInt16();
        int correlationId = reader.ReadInt32();
        if (!ApiVersionsTable.TryGetRange((ApiKey)apiKey, out _))
        {
            throw new RejectedRequestException($"unknown API key {apiKey} (correlation id {correlationId})");
        }
        if (apiVersion < 0)
        {
            throw new RejectedRequestException($"negative version {apiVersion} of {(ApiKey)apiKey} (correlation id {correlationId})");
        }

        // Every header version in use (1 and 2) carries a nullable int16-length client id, even
        // in flexible versions; version 2 adds tagged fields.
        short length = reader.ReadInt16();
        string? clientId = null;
        if (length >= 0)
        {
            clientId = clientIds.Get(reader.ReadRawSpan(length));
        }
        else if (length != -1)
        {
            throw new RejectedRequestException($"invalid client id length {length} (correlation id {correlationId})");
        }
        if (ApiVersionsTable.RequestHeaderVersion((ApiKey)apiKey, apiVersion) >= 2)
        {
            int tagged = reader.ReadTaggedFieldCount();
            for (int i = 0; i < tagged; i++) reader.ReadTaggedField(out _);
        }
        return new RequestHeaderInfo(apiKey, apiVersion, correlationId, clientId, reader.Position);
    }

    /// <summary>
    /// Hands the body to the handler of the header's API key.
    /// </summary>
    /// <exception cref="RejectedRequestException">The API or version is not served.</exception>
    public ValueTask<ApiResponse> DispatchAsync(RequestContext context, ReadOnlyMemory<byte> body)
    {
        short key = (short)context.ApiKey;
        if (!_registry.TryGet(key, out var handler, out var range))
        {
            throw new RejectedRequestException($"{context.ApiKey} is not served by this broker (correlation id {context.CorrelationId})");
        }
        if (context.ApiVersion < range.MinVersion || context.ApiVersion > range.MaxVersion)
        {
            if (context.ApiKey == ApiKey.ApiVersions)
            {
                // KIP-511: a client newer than the broker gets the versions we serve, in a v0 answer.
                return ValueTask.FromResult(ApiVersionsHandler.UnsupportedVersionResponse(range));
            }
            throw new RejectedRequestException(
                $"{context.ApiKey} v{context.ApiVersion} is not served (v{range.MinVersion}-{range.MaxVersion}; correlation id {context.CorrelationId})");
        }
        return handler.HandleAsync(context, body);
    }

    /// <summary>Writes one framed response: size, response header, body.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, RequestContext context, IKafkaMessage message, short version)
    {
        short headerVersion = ApiVersionsTable.ResponseHeaderVersion(context.ApiKey, version);
        int headerSize = headerVersion >= 1 ? 5 : 4;
        int bodySize = message.Size(version);
        var span = output.GetSpan(4 + headerSize);
        BinaryPrimitives.WriteInt32BigEndian(span, headerSize + bodySize);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], context.CorrelationId);
        if (headerVersion >= 1) span[8] = 0; // no tagged fields
        output.Advance(4 + headerSize);
        message.Write(output, version);
    }
}
