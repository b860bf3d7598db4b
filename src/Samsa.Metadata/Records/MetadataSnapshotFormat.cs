using System.Buffers;
using System.Buffers.Binary;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Metadata.Records;

/// <summary>
/// The content of a metadata snapshot file: the whole image as a list of records, in the same frames
/// as the log. Big-endian integers.
/// <code>
/// 4 bytes  magic "SMSN"
/// int16    format version = 1
/// int64    offset: the last log offset the snapshot includes
/// uvarint  record count; repeated: uvarint frame length, frame
/// uint32   CRC-32C of every byte before it
/// </code>
/// </summary>
public static class MetadataSnapshotFormat
{
    public const uint Magic = 0x534D534E; // "SMSN"
    public const short FormatVersion = 1;

    public static byte[] Write(long offset, IEnumerable<MetadataRecord> records)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        var header = output.GetSpan(14);
        BinaryPrimitives.WriteUInt32BigEndian(header, Magic);
        BinaryPrimitives.WriteInt16BigEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteInt64BigEndian(header[6..], offset);
        output.Advance(14);
        MetadataBatchCodec.WriteRecords(output, records);
        var crc = Crc32C.Compute(output.WrittenSpan);
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), crc);
        output.Advance(4);
        return output.WrittenSpan.ToArray();
    }

    /// <exception cref="KafkaProtocolException">The file is not a snapshot, is truncated or fails its checksum.</exception>
    public static (long Offset, List<MetadataRecord> Records) Read(ReadOnlyMemory<byte> content)
    {
        var span = content.Span;
        if (span.Length < 14 + 1 + 4 || BinaryPrimitives.ReadUInt32BigEndian(span) != Magic)
            throw new KafkaProtocolException("Not a metadata snapshot");
        var version = BinaryPrimitives.ReadInt16BigEndian(span[4..]);
        if (version != FormatVersion)
            throw new KafkaProtocolException($"Unsupported metadata snapshot format {version}");
        var expected = BinaryPrimitives.ReadUInt32BigEndian(span[^4..]);
        if (Crc32C.Compute(span[..^4]) != expected)
            throw new KafkaProtocolException("Metadata snapshot checksum mismatch");
        var offset = BinaryPrimitives.ReadInt64BigEndian(span[6..]);
        var position = 14;
        var records = MetadataBatchCodec.ReadRecords(content[..^4], ref position);
        if (position != span.Length - 4)
            throw new KafkaProtocolException("Trailing bytes in metadata snapshot");
        return (offset, records);
    }
}
