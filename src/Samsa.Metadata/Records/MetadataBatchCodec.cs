using System.Buffers;
using Samsa.Protocol;

namespace Samsa.Metadata.Records;

/// <summary>
/// The payload of one metadata log entry: a batch of framed records.
/// <code>
/// byte     magic = 0x4D ('M'): entries without it (the Raft engine's own) are skipped
/// byte     format version = 1
/// 16 bytes append id: lets the node that appended the entry learn when it is applied
/// uvarint  record count
/// repeated: uvarint frame length, frame (see MetadataRecordSerde)
/// </code>
/// </summary>
public static class MetadataBatchCodec
{
    public const byte Magic = 0x4D;
    public const byte FormatVersion = 1;
    private const int HeaderSize = 2 + 16;

    public static void Write(IBufferWriter<byte> output, Guid appendId, IReadOnlyList<MetadataRecord> records)
    {
        var header = output.GetSpan(HeaderSize);
        header[0] = Magic;
        header[1] = FormatVersion;
        appendId.TryWriteBytes(header.Slice(2, 16));
        output.Advance(HeaderSize);
        WriteRecords(output, records);
    }

    /// <summary>Writes <c>uvarint count</c> then each record as <c>uvarint length, frame</c>.</summary>
    public static void WriteRecords(IBufferWriter<byte> output, IEnumerable<MetadataRecord> records)
    {
        var frames = new ArrayBufferWriter<byte>(256);
        var count = 0u;
        var body = new ArrayBufferWriter<byte>(1024);
        foreach (var record in records)
        {
            frames.ResetWrittenCount();
            MetadataRecordSerde.Write(frames, record);
            UnsignedVarint.Write(body, (uint)frames.WrittenCount);
            body.Write(frames.WrittenSpan);
            count++;
        }

        UnsignedVarint.Write(output, count);
        output.Write(body.WrittenSpan);
    }

    /// <summary>True when the payload is a metadata batch (not an entry of the Raft engine).</summary>
    public static bool IsMetadataBatch(ReadOnlySpan<byte> payload) => payload.Length >= HeaderSize && payload[0] == Magic;

    /// <summary>Decodes a payload written by <see cref="Write"/>.</summary>
    /// <exception cref="KafkaProtocolException">The payload is malformed.</exception>
    public static (Guid AppendId, List<MetadataRecord> Records) Read(ReadOnlyMemory<byte> payload)
    {
        var span = payload.Span;
        if (!IsMetadataBatch(span))
            throw new KafkaProtocolException("Not a metadata batch");
        if (span[1] != FormatVersion)
            throw new KafkaProtocolException($"Unsupported metadata batch format {span[1]}");
        var appendId = new Guid(span.Slice(2, 16));
        var position = HeaderSize;
        return (appendId, ReadRecords(payload, ref position));
    }

    /// <summary>Reads what <see cref="WriteRecords"/> wrote, starting at <paramref name="position"/>.</summary>
    public static List<MetadataRecord> ReadRecords(ReadOnlyMemory<byte> input, ref int position)
    {
        var span = input.Span;
        if (!UnsignedVarint.TryRead(span, ref position, out var count))
            throw new KafkaProtocolException("Truncated metadata record count");
        // Every frame needs at least 4 bytes, so a count beyond that is corrupt, not an allocation request.
        if (count > (uint)(span.Length - position) / 4 + 1)
            throw new KafkaProtocolException($"Metadata record count {count} exceeds the input");
        var records = new List<MetadataRecord>((int)count);
        for (var i = 0u; i < count; i++)
        {
            if (!UnsignedVarint.TryRead(span, ref position, out var length) || length > (uint)(span.Length - position))
                throw new KafkaProtocolException("Truncated metadata record frame");
            records.Add(MetadataRecordSerde.Read(input.Slice(position, (int)length)));
            position += (int)length;
        }

        return records;
    }
}
