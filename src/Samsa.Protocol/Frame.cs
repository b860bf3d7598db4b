using System.Buffers;
using System.Buffers.Binary;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol;

/// <summary>
/// Kafka's framing: every request and response is an int32 size followed by that many bytes
/// (header, then body). <see cref="TryRead"/> works on the buffers a PipeReader hands out.
/// </summary>
public static class Frame
{
    public const int SizePrefixLength = 4;

    /// <summary>
    /// Takes one frame (without its size prefix) off the front of <paramref name="buffer"/>.
    /// Returns false, leaving the buffer untouched, when the frame is not complete yet; throws
    /// <see cref="InvalidFrameSizeException"/> as soon as the prefix is negative or above
    /// <paramref name="maxFrameSize"/>, before waiting for or allocating anything.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < SizePrefixLength)
            return false;
        int size;
        if (buffer.FirstSpan.Length >= SizePrefixLength)
        {
            size = BinaryPrimitives.ReadInt32BigEndian(buffer.FirstSpan);
        }
        else
        {
            Span<byte> prefix = stackalloc byte[SizePrefixLength];
            buffer.Slice(0, SizePrefixLength).CopyTo(prefix);
            size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        }
        if (size < 0)
            throw new InvalidFrameSizeException($"Frame size {size} is negative.");
        if (size > maxFrameSize)
            throw new InvalidFrameSizeException($"Frame size {size} exceeds the maximum of {maxFrameSize} bytes.");
        if (buffer.Length - SizePrefixLength < size)
            return false;
        frame = buffer.Slice(SizePrefixLength, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    /// <summary>The frame as one contiguous block: the segment itself when it is one, else a copy.
    /// Records fields read from it point into this memory.</summary>
    public static ReadOnlyMemory<byte> ToMemory(in ReadOnlySequence<byte> frame) =>
        frame.IsSingleSegment ? frame.First : frame.ToArray();

    /// <summary>Reads the api key and version first, then the header version they call for, and
    /// leaves the reader at the start of the body. An api key Samsa does not know is read with
    /// header v1, so the caller still learns the correlation id.</summary>
    public static RequestHeader ReadRequestHeader(ref KafkaReader reader)
    {
        var peek = reader;
        var apiKey = (ApiKey)peek.ReadInt16();
        short apiVersion = peek.ReadInt16();
        return RequestHeader.Read(ref reader, ApiVersionsTable.RequestHeaderVersion(apiKey, apiVersion));
    }

    /// <summary>Reads a response header for a request of the given api key and version.</summary>
    public static ResponseHeader ReadResponseHeader(ref KafkaReader reader, ApiKey apiKey, short apiVersion) =>
        ResponseHeader.Read(ref reader, ApiVersionsTable.ResponseHeaderVersion(apiKey, apiVersion));

    /// <summary>Writes a size-prefixed request: the header (its version chosen from its api key and
    /// version) followed by the body at <c>header.RequestApiVersion</c>.</summary>
    public static void WriteRequest(IBufferWriter<byte> output, RequestHeader header, IKafkaMessage body)
    {
        short apiVersion = header.RequestApiVersion;
        short headerVersion = ApiVersionsTable.RequestHeaderVersion((ApiKey)header.RequestApiKey, apiVersion);
        var writer = new KafkaWriter(output);
        writer.WriteInt32(header.Size(headerVersion) + body.Size(apiVersion));
        header.Write(ref writer, headerVersion);
        body.Write(ref writer, apiVersion);
        writer.Flush();
    }

    /// <summary>Writes a size-prefixed response: the response header for the request's api key and
    /// version, then the body at that version.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, int correlationId, ApiKey apiKey, short apiVersion, IKafkaMessage body)
    {
        // Response header v0 is the correlation id; v1 adds an empty tagged-field section. Written
        // directly (the same bytes ResponseHeader.Write produces) so a response costs no header object.
        bool tagged = ApiVersionsTable.ResponseHeaderVersion(apiKey, apiVersion) >= 1;
        var writer = new KafkaWriter(output);
        writer.WriteInt32((tagged ? 5 : 4) + body.Size(apiVersion));
        writer.WriteInt32(correlationId);
        if (tagged)
            writer.WriteUnsignedVarint(0);
        body.Write(ref writer, apiVersion);
        writer.Flush();
    }
}
