namespace Samsa.Protocol.Records;

/// <summary>
/// Byte offsets of the magic-2 record batch header, as Kafka lays it out on the wire and on disk.
/// All integers are big-endian. The CRC (CRC-32C) covers everything from <see cref="AttributesOffset"/>
/// to the end of the batch.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffsetOffset = 0;            // int64
    public const int BatchLengthOffset = 8;           // int32: bytes after this field
    public const int PartitionLeaderEpochOffset = 12; // int32
    public const int MagicOffset = 16;                // int8 (2)
    public const int CrcOffset = 17;                  // uint32
    public const int AttributesOffset = 21;           // int16
    public const int LastOffsetDeltaOffset = 23;      // int32
    public const int BaseTimestampOffset = 27;        // int64
    public const int MaxTimestampOffset = 35;         // int64
    public const int ProducerIdOffset = 43;           // int64
    public const int ProducerEpochOffset = 51;        // int16
    public const int BaseSequenceOffset = 53;         // int32
    public const int RecordCountOffset = 57;          // int32
    public const int RecordsOffset = 61;

    /// <summary>Size of the header, also the smallest valid batch.</summary>
    public const int HeaderSize = RecordsOffset;

    /// <summary>base offset + batch length: the part needed to know how long a batch is.</summary>
    public const int LogOverhead = 12;

    public const byte CurrentMagic = 2;
}
