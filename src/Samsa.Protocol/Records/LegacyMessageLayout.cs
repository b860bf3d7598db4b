namespace Samsa.Protocol.Records;

/// <summary>
/// Kafka's message format before record batches (magic 0 and 1). A message set is messages laid
/// end to end, each <c>offset int64, size int32</c> followed by <c>size</c> bytes:
/// <code>
/// crc uint32 (CRC-32 IEEE of magic..end), magic int8, attributes int8,
/// [timestamp int64: magic 1 only], key bytes (int32 length, -1 = null), value bytes (same)
/// </code>
/// Attributes: codec in bits 0-2; magic 1 also has the timestamp type in bit 3. A compressed
/// message is a wrapper whose value is a compressed message set; in magic 1 the inner offsets are
/// relative and the wrapper carries the absolute offset of the last inner message.
/// </summary>
public static class LegacyMessageLayout
{
    public const byte MagicV0 = 0;
    public const byte MagicV1 = 1;

    public const int OffsetOffset = 0;
    public const int SizeOffset = 8;
    /// <summary>Offset and size in front of each message.</summary>
    public const int LogOverhead = 12;

    // Offsets inside a message (after the log overhead).
    public const int CrcOffset = 0;
    public const int MagicOffset = 4;
    public const int AttributesOffset = 5;
    public const int TimestampOffset = 6;

    public const int CodecMask = 0x07;
    public const int TimestampTypeMask = 0x08;

    /// <summary>Where the key length sits in a message of this magic.</summary>
    public static int KeyLengthOffset(byte magic) => magic == MagicV0 ? 6 : 14;

    /// <summary>Bytes of a message with null key and value: crc, magic, attributes, [timestamp], two lengths.</summary>
    public static int MinMessageSize(byte magic) => magic == MagicV0 ? 14 : 22;
}
