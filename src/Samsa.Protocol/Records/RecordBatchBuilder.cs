using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// Builds one magic-2 record batch. Records are encoded straight into a pooled buffer behind room
/// left for the header; <see cref="Build"/> compresses the records section with the chosen codec,
/// fills the header and computes the CRC. <see cref="Reset"/> starts the next batch reusing the
/// buffers, so a producer appending records allocates nothing per record once the buffers have grown.
/// Not thread-safe.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private byte[] _buffer;
    private int _position;
    private PooledBufferWriter? _compressed;
    private int _count;
    private int _lastOffsetDelta;
    private long _baseTimestamp;
    private long _maxTimestamp;
    private bool _built;

    public RecordBatchBuilder(int initialCapacity = 16 * 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, RecordBatchLayout.HeaderSize + 64));
        Reset();
    }

    public CompressionType Compression { get; set; }
    public TimestampType TimestampType { get; set; }
    public bool IsTransactional { get; set; }
    public bool IsControl { get; set; }
    /// <summary>0 from producers; the broker assigns real offsets on append.</summary>
    public long BaseOffset { get; set; }
    /// <summary>-1 from producers (Kafka's NO_PARTITION_LEADER_EPOCH).</summary>
    public int PartitionLeaderEpoch { get; set; }
    /// <summary>-1 when the producer is not idempotent.</summary>
    public long ProducerId { get; set; }
    public short ProducerEpoch { get; set; }
    public int BaseSequence { get; set; }
    /// <summary>
    /// The log cleaner's delete horizon (attribute bit 6): when set (not -1) the base timestamp holds
    /// this time instead of the first record's, and record timestamps are stored relative to it.
    /// Set before the first record is appended.
    /// </summary>
    public long DeleteHorizonMs { get; set; } = -1;

    public int RecordCount => _count;
    /// <summary>Size so far without compression, header included: what <c>batch.size</c> is compared against.</summary>
    public int SizeInBytes => _position;
    public bool IsEmpty => _count == 0;

    /// <summary>Forgets the records and settings; keeps the buffers.</summary>
    public void Reset()
    {
        _position = RecordBatchLayout.HeaderSize;
        _count = 0;
        _lastOffsetDelta = -1;
        _baseTimestamp = -1;
        _maxTimestamp = -1;
        _built = false;
        Compression = CompressionType.None;
        TimestampType = TimestampType.CreateTime;
        IsTransactional = false;
        IsControl = false;
        BaseOffset = 0;
        PartitionLeaderEpoch = -1;
        ProducerId = -1;
        ProducerEpoch = -1;
        BaseSequence = -1;
        DeleteHorizonMs = -1;
    }

    /// <summary>Resets and takes <paramref name="batch"/>'s header fields, for rebuilding it (recompression,
    /// compaction) with the same offsets, producer id, epoch and sequence.</summary>
    public void ResetLike(in RecordBatch batch)
    {
        Reset();
        Compression = batch.CompressionType;
        TimestampType = batch.TimestampType;
        IsTransactional = batch.IsTransactional;
        BaseOffset = batch.BaseOffset;
        PartitionLeaderEpoch = batch.PartitionLeaderEpoch;
        ProducerId = batch.ProducerId;
        ProducerEpoch = batch.ProducerEpoch;
        BaseSequence = batch.BaseSequence;
    }

    /// <summary>Appends a record with the next offset; null key or value stays null on the wire.</summary>
    public void Append(long timestamp, byte[]? key, byte[]? value, ReadOnlySpan<Header> headers = default) =>
        AppendCore(_lastOffsetDelta + 1, timestamp, key, key is not null, value, value is not null, headers);

    /// <summary>Appends a record with a non-null key and value.</summary>
    public void Append(long timestamp, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReadOnlySpan<Header> headers = default) =>
        AppendCore(_lastOffsetDelta + 1, timestamp, key, true, value, true, headers);

    /// <summary>Appends a record whose key and value may each be null (<paramref name="hasKey"/>, <paramref name="hasValue"/> false).</summary>
    public void Append(long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, ReadOnlySpan<Header> headers = default) =>
        AppendCore(_lastOffsetDelta + 1, timestamp, key, hasKey, value, hasValue, headers);

    /// <summary>Appends a record at an explicit offset (compaction keeps gaps); offsets must increase.</summary>
    public void AppendWithOffset(long offset, long timestamp, byte[]? key, byte[]? value, ReadOnlySpan<Header> headers = default) =>
        AppendCore(OffsetDelta(offset), timestamp, key, key is not null, value, value is not null, headers);

    /// <summary>Appends a record at an explicit offset from spans (rewriting a read record keeps its offset).</summary>
    public void AppendWithOffset(long offset, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, ReadOnlySpan<Header> headers = default) =>
        AppendCore(OffsetDelta(offset), timestamp, key, hasKey, value, hasValue, headers);

    private int OffsetDelta(long offset)
    {
        long delta = offset - BaseOffset;
        if (delta <= _lastOffsetDelta || delta > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} does not follow offset {BaseOffset + _lastOffsetDelta} in a batch based at {BaseOffset}");
        }
        return (int)delta;
    }

    /// <summary>An upper bound of the bytes a record adds to the batch before compression (-1 length = null).</summary>
    public static int EstimateRecordSize(int keyLength, int valueLength, ReadOnlySpan<Header> headers = default)
    {
        int size = 5 + 1 + 10 + 5 + BytesSize(keyLength) + BytesSize(valueLength) + RecordVarint.Size(headers.Length);
        foreach (Header h in headers)
        {
            size += BytesSize(Encoding.UTF8.GetByteCount(h.Key)) + BytesSize(h.Value?.Length ?? -1);
        }
        return size;
    }

    private static int BytesSize(int length) => length < 0 ? 1 : RecordVarint.Size(length) + length;

    private void AppendCore(int offsetDelta, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, ReadOnlySpan<Header> headers)
    {
        if (_built)
        {
            throw new InvalidOperationException("the batch was built; call Reset before appending again");
        }
        if (_count == 0)
        {
            _baseTimestamp = DeleteHorizonMs >= 0 ? DeleteHorizonMs : timestamp;
            _maxTimestamp = timestamp;
        }
        else if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }
        long timestampDelta = timestamp - _baseTimestamp;

        int headersSize = 0;
        foreach (Header h in headers)
        {
            ArgumentNullException.ThrowIfNull(h.Key, "header key");
            headersSize += RecordWriter.HeaderSize(Encoding.UTF8.GetByteCount(h.Key), h.Value?.Length ?? -1);
        }
        int keyLength = hasKey ? key.Length : -1;
        int valueLength = hasValue ? value.Length : -1;
        int bodySize = RecordWriter.BodySize(timestampDelta, offsetDelta, keyLength, valueLength, headers.Length, headersSize);
        int total = RecordWriter.TotalSize(bodySize);
        Ensure(total);

        Span<byte> span = _buffer.AsSpan(_position, total);
        int p = RecordWriter.WriteStart(span, bodySize, timestampDelta, offsetDelta, key, keyLength, value, valueLength, headers.Length);
        foreach (Header h in headers)
        {
            p += RecordWriter.WriteHeader(span[p..], h.Key, Encoding.UTF8.GetByteCount(h.Key), h.Value, h.Value?.Length ?? -1);
        }

        _position += total;
        _count++;
        _lastOffsetDelta = offsetDelta;
    }

    private void Ensure(int more)
    {
        if (_buffer.Length - _position >= more)
        {
            return;
        }
        long wanted = Math.Max((long)_buffer.Length * 2, (long)_position + more);
        if (wanted > Array.MaxLength)
        {
            throw new InvalidOperationException("record batch cannot grow past 2 GiB");
        }
        byte[] bigger = ArrayPool<byte>.Shared.Rent((int)wanted);
        _buffer.AsSpan(0, _position).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>
    /// Finishes the batch: compresses the records, writes the header and CRC. The returned bytes
    /// belong to the builder and stay valid until <see cref="Reset"/> or <see cref="Dispose"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("the batch was already built");
        }
        if (_count == 0)
        {
            throw new InvalidOperationException("a record batch needs at least one record");
        }
        Memory<byte> batch;
        if (Compression == CompressionType.None)
        {
            batch = _buffer.AsMemory(0, _position);
        }
        else
        {
            ICompressionCodec codec = CompressionCodecs.Get(Compression);
            _compressed ??= new PooledBufferWriter(_buffer.Length);
            _compressed.Clear();
            _compressed.GetSpan(RecordBatchLayout.HeaderSize);
            _compressed.Advance(RecordBatchLayout.HeaderSize);
            codec.Compress(_buffer.AsSpan(RecordBatchLayout.HeaderSize, _position - RecordBatchLayout.HeaderSize), _compressed);
            batch = _compressed.WrittenMemoryMutable;
        }
        WriteHeader(batch.Span);
        _built = true;
        return batch;
    }

    private void WriteHeader(Span<byte> batch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLengthOffset..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        batch[RecordBatchLayout.MagicOffset] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..],
            (short)((ushort)RecordBatchAttributes.Compose(Compression, TimestampType, IsTransactional, IsControl) | (DeleteHorizonMs >= 0 ? 0x40 : 0)));
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaOffset..], _lastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordCountOffset..], _count);
        RecordBatch.WriteCrc(batch);
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        _compressed?.Dispose();
        _compressed = null;
    }
}
