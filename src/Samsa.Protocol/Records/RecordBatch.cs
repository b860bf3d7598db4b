using System.Buffers.Binary;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// One magic-2 record batch over bytes in memory. Constructing it checks the framing (magic,
/// length against the bytes available); <see cref="Validate"/> checks the CRC and counts without
/// touching records; <see cref="GetRecords"/> iterates records lazily, decompressing first when
/// the batch is compressed. Nothing is copied for an uncompressed batch.
/// </summary>
public readonly ref struct RecordBatch
{
    /// <summary>Default bound on a batch's decompressed records section (a decompression-bomb guard).</summary>
    public const int DefaultMaxDecompressedSize = 128 * 1024 * 1024;

    /// <summary>Smallest value of the batch length field: the header after the length field.</summary>
    private const int MinBatchLength = RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead;

    private readonly ReadOnlySpan<byte> _bytes;

    /// <summary>
    /// A view of the batch at the start of <paramref name="bytes"/> (trailing bytes are not part of
    /// it). Throws <see cref="UnsupportedMessageFormatException"/> for magic 0/1 and
    /// <see cref="CorruptRecordException"/> when the bytes cannot hold the batch they announce.
    /// </summary>
    public RecordBatch(ReadOnlySpan<byte> bytes)
    {
        long size = CheckFraming(bytes);
        if (size > bytes.Length)
        {
            throw new CorruptRecordException($"record batch announces {size} bytes but only {bytes.Length} are available");
        }
        _bytes = bytes[..(int)size];
    }

    /// <summary>
    /// Reads the batch at the start of <paramref name="buffer"/>. Returns false when the buffer
    /// ends before the batch does (a fetch response may end with a partial batch); throws when the
    /// bytes are not a magic-2 batch.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out RecordBatch batch)
    {
        batch = default;
        if (buffer.Length < RecordBatchLayout.LogOverhead)
        {
            return false;
        }
        long size = CheckFraming(buffer);
        if (size > buffer.Length)
        {
            return false;
        }
        batch = new RecordBatch(buffer[..(int)size], trusted: true);
        return true;
    }

    private RecordBatch(ReadOnlySpan<byte> exact, bool trusted)
    {
        _ = trusted;
        _bytes = exact;
    }

    /// <summary>Iterates the batches of a records field (Produce request, Fetch response, a log segment slice).</summary>
    public static RecordBatchEnumerator Enumerate(ReadOnlySpan<byte> records) => new(records);

    /// <summary>Returns the total size the batch announces, after checking what can be checked from its first bytes.</summary>
    private static long CheckFraming(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < RecordBatchLayout.LogOverhead)
        {
            throw new CorruptRecordException($"record batch needs at least {RecordBatchLayout.LogOverhead} bytes for its offset and length, got {bytes.Length}");
        }
        int batchLength = BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BatchLengthOffset..]);
        // Magic sits at byte 16 in every message format, so old formats are recognised before their layout matters.
        if (bytes.Length > RecordBatchLayout.MagicOffset)
        {
            byte magic = bytes[RecordBatchLayout.MagicOffset];
            if (magic is 0 or 1)
            {
                throw new UnsupportedMessageFormatException(magic);
            }
            if (magic != RecordBatchLayout.CurrentMagic)
            {
                throw new CorruptRecordException($"unknown record batch magic {magic}");
            }
        }
        if (batchLength < MinBatchLength)
        {
            throw new CorruptRecordException($"record batch length {batchLength} is below the header size {MinBatchLength}");
        }
        return (long)batchLength + RecordBatchLayout.LogOverhead;
    }

    /// <summary>The batch's bytes, exactly <see cref="SizeInBytes"/> long.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;
    public int SizeInBytes => _bytes.Length;
    public RecordBatchHeader Header => new(_bytes);

    public long BaseOffset => Header.BaseOffset;
    public long LastOffset => Header.LastOffset;
    /// <summary>The offset after this batch.</summary>
    public long NextOffset => Header.LastOffset + 1;
    public int LastOffsetDelta => Header.LastOffsetDelta;
    public int PartitionLeaderEpoch => Header.PartitionLeaderEpoch;
    public byte Magic => Header.Magic;
    public uint Crc => Header.Crc;
    public short Attributes => Header.Attributes;
    public int RecordCount => Header.RecordCount;
    public long BaseTimestamp => Header.BaseTimestamp;
    public long MaxTimestamp => Header.MaxTimestamp;
    public long ProducerId => Header.ProducerId;
    public short ProducerEpoch => Header.ProducerEpoch;
    public int BaseSequence => Header.BaseSequence;
    /// <summary>The codec id as a <see cref="Compression.CompressionType"/>; may be an undefined value (5-7) until validated.</summary>
    public CompressionType CompressionType => (CompressionType)Header.CompressionCodec;
    public TimestampType TimestampType => Header.IsLogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime;
    public bool IsTransactional => Header.IsTransactional;
    public bool IsControl => Header.IsControl;
    public bool HasProducerId => Header.ProducerId >= 0;

    /// <summary>The records section as stored: compressed when the batch is.</summary>
    public ReadOnlySpan<byte> RecordsSection => _bytes[RecordBatchLayout.RecordsOffset..];

    /// <summary>CRC-32C of attributes..end, to compare with <see cref="Crc"/>.</summary>
    public uint ComputeCrc() => Crc32C.Compute(_bytes[RecordBatchLayout.AttributesOffset..]);

    public bool IsCrcValid => ComputeCrc() == Crc;

    /// <summary>
    /// Checks the batch without reading records: CRC, a known codec, record count against the last
    /// offset delta and (uncompressed) against the bytes present. Throws <see cref="CorruptRecordException"/>
    /// (or a subclass) on the first problem.
    /// </summary>
    public void Validate()
    {
        uint computed = ComputeCrc();
        if (computed != Crc)
        {
            throw new CorruptRecordException($"record batch at offset {BaseOffset} has CRC {Crc:x8} but its bytes give {computed:x8}");
        }
        int codec = Header.CompressionCodec;
        if (codec > (int)CompressionType.Zstd)
        {
            throw new UnsupportedCompressionTypeException(codec);
        }
        int count = RecordCount;
        int lastOffsetDelta = LastOffsetDelta;
        if (count < 0)
        {
            throw new CorruptRecordException($"record batch has a negative record count {count}");
        }
        if (lastOffsetDelta < count - 1 || lastOffsetDelta < -1)
        {
            throw new CorruptRecordException($"record batch holds {count} records but its last offset delta is {lastOffsetDelta}");
        }
        if (codec == 0 && count > RecordsSection.Length / 7)
        {
            throw new CorruptRecordException($"record batch claims {count} records in {RecordsSection.Length} bytes");
        }
    }

    /// <summary>
    /// <see cref="Validate"/> and then reads every record (decompressing if needed), so that
    /// nothing malformed is stored: what a broker does before appending a produced batch.
    /// </summary>
    public void ValidateRecords(int maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        Validate();
        foreach (Record _ in GetRecords(maxDecompressedSize))
        {
        }
    }

    /// <summary>
    /// The records, read lazily. A compressed batch is decompressed first into a pooled buffer of
    /// at most <paramref name="maxDecompressedSize"/> bytes; dispose the enumerator (foreach does) to
    /// give it back. Does not check the CRC: call <see cref="Validate"/> for that.
    /// </summary>
    public RecordEnumerator GetRecords(int maxDecompressedSize = DefaultMaxDecompressedSize)
    {
        int codec = Header.CompressionCodec;
        if (codec == 0)
        {
            return new RecordEnumerator(RecordsSection, null, Header);
        }
        ICompressionCodec compression = CompressionCodecs.Get(codec);
        PooledBufferWriter buffer = DecompressionBuffers.Rent();
        try
        {
            compression.Decompress(RecordsSection, buffer, maxDecompressedSize);
        }
        catch
        {
            DecompressionBuffers.Return(buffer, buffer.Generation);
            throw;
        }
        return new RecordEnumerator(buffer.WrittenSpan, buffer, Header);
    }

    public RecordEnumerator GetEnumerator() => GetRecords();

    /// <summary>Recomputes and stores the CRC after the attributes..end part of a batch changed.</summary>
    public static void WriteCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.CrcOffset..], Crc32C.Compute(batch[RecordBatchLayout.AttributesOffset..]));

    /// <summary>Marks a batch's timestamps as LogAppendTime at <paramref name="timestamp"/> (max timestamp and attribute bit), then fixes the CRC.</summary>
    public static void SetLogAppendTime(Span<byte> batch, long timestamp)
    {
        short attributes = BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..], (short)(attributes | RecordBatchAttributes.TimestampTypeMask));
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..], timestamp);
        WriteCrc(batch);
    }
}

/// <summary>
/// Iterates the batches laid end to end in a records field. Stops before a trailing partial batch
/// (fetch responses may end with one); <see cref="Remaining"/> then holds its bytes.
/// </summary>
public ref struct RecordBatchEnumerator
{
    private ReadOnlySpan<byte> _remaining;

    public RecordBatchEnumerator(ReadOnlySpan<byte> records) => _remaining = records;

    public RecordBatch Current { get; private set; }

    /// <summary>Bytes not yet returned as batches; after the last <see cref="MoveNext"/>, a partial batch or nothing.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _remaining;

    public readonly RecordBatchEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (!RecordBatch.TryRead(_remaining, out RecordBatch batch))
        {
            return false;
        }
        Current = batch;
        _remaining = _remaining[batch.SizeInBytes..];
        return true;
    }
}
