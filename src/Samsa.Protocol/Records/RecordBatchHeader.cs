using System.Buffers.Binary;

namespace Samsa.Protocol.Records;

/// <summary>
/// A read-only view of a magic-2 record batch header over bytes already in memory
/// (see <see cref="RecordBatchLayout"/>). It copies nothing and validates nothing except that the
/// span is long enough for the header; storage and the broker use it to scan batches without
/// decoding records.
/// </summary>
public readonly ref struct RecordBatchHeader
{
    private readonly ReadOnlySpan<byte> _bytes;

    public RecordBatchHeader(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < RecordBatchLayout.HeaderSize)
        {
            throw new CorruptRecordException($"record batch header needs {RecordBatchLayout.HeaderSize} bytes, got {batch.Length}");
        }
        _bytes = batch;
    }

    public long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.BaseOffsetOffset..]);
    public int BatchLength => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.BatchLengthOffset..]);
    /// <summary>Whole batch size on the wire: base offset + length field + <see cref="BatchLength"/>.</summary>
    public int TotalSize => BatchLength + RecordBatchLayout.LogOverhead;
    public int PartitionLeaderEpoch => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.PartitionLeaderEpochOffset..]);
    public byte Magic => _bytes[RecordBatchLayout.MagicOffset];
    public uint Crc => BinaryPrimitives.ReadUInt32BigEndian(_bytes[RecordBatchLayout.CrcOffset..]);
    public short Attributes => BinaryPrimitives.ReadInt16BigEndian(_bytes[RecordBatchLayout.AttributesOffset..]);
    public int LastOffsetDelta => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.LastOffsetDeltaOffset..]);
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public long BaseTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.BaseTimestampOffset..]);
    public long MaxTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.MaxTimestampOffset..]);
    public long ProducerId => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.ProducerIdOffset..]);
    public short ProducerEpoch => BinaryPrimitives.ReadInt16BigEndian(_bytes[RecordBatchLayout.ProducerEpochOffset..]);
    public int BaseSequence => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.BaseSequenceOffset..]);
    public int RecordCount => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.RecordCountOffset..]);

    /// <summary>Compression codec id: bits 0-2 of the attributes (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).</summary>
    public int CompressionCodec => Attributes & 0x07;
    /// <summary>Bit 3: the timestamps are LogAppendTime rather than CreateTime.</summary>
    public bool IsLogAppendTime => (Attributes & 0x08) != 0;
    public bool IsTransactional => (Attributes & 0x10) != 0;
    public bool IsControl => (Attributes & 0x20) != 0;
    public bool HasDeleteHorizon => (Attributes & 0x40) != 0;

    /// <summary>Writes a new base offset into a batch in place (offsets are assigned on append).</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetOffset..], baseOffset);

    public static void SetPartitionLeaderEpoch(Span<byte> batch, int epoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..], epoch);
}
