using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Samsa.Client.Internal;
using Samsa.Protocol.Records;

namespace Samsa.Client.Producer;

/// <summary>
/// One partition's batch under construction: records are encoded (magic 2 record format) straight
/// into a pooled buffer behind a reserved 61-byte header, which <see cref="Seal"/> fills in
/// (producer id, sequence, CRC-32C) once the sender drains the batch. Per record it keeps only the
/// completion handler and timestamp, in a pooled array. Not thread-safe: the accumulator's
/// partition lock guards appends; after draining, only the sender touches it.
/// </summary>
internal sealed class ProducerBatch
{
    private byte[] _buffer = [];
    private int _written;
    private int _limit;
    private Completion[] _completions = [];
    private byte[]? _sealed;
    private int _sealedLength;

    public TopicPartition Partition { get; private set; }
    public int RecordCount { get; private set; }
    public long BaseTimestamp { get; private set; }
    public long MaxTimestamp { get; private set; }
    public long CreatedTicks { get; private set; }
    public int Attempts { get; set; }
    public long RetryAfterTicks { get; set; }
    public bool IsClosed { get; private set; }
    public int BaseSequence { get; set; } = -1;
    public long ProducerId { get; set; } = -1;
    public short ProducerEpoch { get; set; } = -1;

    /// <summary>Bytes of buffer.memory this batch holds.</summary>
    public int ReservedBytes => _buffer.Length;

    public int SizeInBytes => _written;

    /// <summary>The encoded batch as sent, valid after <see cref="Seal"/>.</summary>
    public ReadOnlyMemory<byte> Sealed => _sealed.AsMemory(0, _sealedLength);

    public bool IsSealed => _sealed is not null;

    public void Initialize(TopicPartition partition, byte[] buffer, int limit, long nowTicks)
    {
        Partition = partition;
        _buffer = buffer;
        _limit = Math.Min(limit, buffer.Length);
        _written = RecordBatchLayout.RecordsOffset;
        RecordCount = 0;
        CreatedTicks = nowTicks;
        Attempts = 0;
        RetryAfterTicks = 0;
        IsClosed = false;
        BaseSequence = -1;
        ProducerId = -1;
        ProducerEpoch = -1;
        if (_completions.Length == 0) _completions = ArrayPool<Completion>.Shared.Rent(64);
    }

    /// <summary>Size of a record's bytes in the batch, with its length prefix.</summary>
    public static int EstimateSize(int keyLength, int valueLength, Headers? headers)
    {
        var body = 1 + 10 + 5 + Math.Max(keyLength, 0) + 5 + Math.Max(valueLength, 0) + 5;
        if (headers is not null)
        {
            foreach (var h in headers) body += 10 + Encoding.UTF8.GetByteCount(h.Key) + (h.Value?.Length ?? 0);
        }
        return body + 5;
    }

    /// <summary>
    /// Appends one record; false when it does not fit (the caller starts a new batch). A length of
    /// -1 means a null key or value. The first record of a batch always fits: the buffer was sized for it.
    /// </summary>
    public bool TryAppend(long timestamp, ReadOnlySpan<byte> key, int keyLength, ReadOnlySpan<byte> value, int valueLength,
        Headers? headers, object? handler)
    {
        if (IsClosed) return false;
        if (RecordCount == 0)
        {
            BaseTimestamp = timestamp;
            MaxTimestamp = timestamp;
        }
        var timestampDelta = timestamp - BaseTimestamp;
        var offsetDelta = RecordCount;
        var headerCount = headers?.Count ?? 0;
        var headersSize = 0;
        if (headers is not null)
        {
            foreach (var h in headers) headersSize += RecordWriter.HeaderSize(Encoding.UTF8.GetByteCount(h.Key), h.Value?.Length ?? -1);
        }
        var body = RecordWriter.BodySize(timestampDelta, offsetDelta, keyLength, valueLength, headerCount, headersSize);
        var total = RecordWriter.TotalSize(body);
        var limit = RecordCount == 0 ? _buffer.Length : _limit;
        if (_written + total > limit) return false;

        // The record layout is Samsa.Protocol's, shared with RecordBatchBuilder.
        var span = _buffer.AsSpan(_written, total);
        var pos = RecordWriter.WriteStart(span, body, timestampDelta, offsetDelta, key, keyLength, value, valueLength, headerCount);
        if (headers is not null)
        {
            foreach (var h in headers)
                pos += RecordWriter.WriteHeader(span[pos..], h.Key, Encoding.UTF8.GetByteCount(h.Key), h.Value, h.Value?.Length ?? -1);
        }
        _written += pos;

        if (RecordCount == _completions.Length)
        {
            var grown = ArrayPool<Completion>.Shared.Rent(_completions.Length * 2);
            _completions.AsSpan(0, RecordCount).CopyTo(grown);
            ArrayPool<Completion>.Shared.Return(_completions, clearArray: true);
            _completions = grown;
        }
        _completions[RecordCount] = new Completion(handler, timestamp);
        RecordCount++;
        if (timestamp > MaxTimestamp) MaxTimestamp = timestamp;
        return true;
    }

    /// <summary>No more appends; the batch waits to be drained.</summary>
    public void Close() => IsClosed = true;

    /// <summary>
    /// Fills in the header and, when compressing, replaces the records section by its compressed
    /// form. Called once per batch; <see cref="Reseal"/> changes only the producer fields later.
    /// </summary>
    public void Seal(Samsa.Protocol.Compression.ICompressionCodec? codec)
    {
        IsClosed = true;
        byte[] target;
        int length;
        if (codec is null)
        {
            target = _buffer;
            length = _written;
        }
        else
        {
            using var compressed = new PooledWriter(Math.Max(256, _written / 2));
            codec.Compress(_buffer.AsSpan(RecordBatchLayout.RecordsOffset, _written - RecordBatchLayout.RecordsOffset), compressed);
            length = RecordBatchLayout.RecordsOffset + compressed.WrittenCount;
            target = ArrayPool<byte>.Shared.Rent(length);
            compressed.WrittenSpan.CopyTo(target.AsSpan(RecordBatchLayout.RecordsOffset));
        }
        var h = target.AsSpan(0, RecordBatchLayout.RecordsOffset);
        BinaryPrimitives.WriteInt64BigEndian(h[RecordBatchLayout.BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(h[RecordBatchLayout.BatchLengthOffset..], length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(h[RecordBatchLayout.PartitionLeaderEpochOffset..], -1);
        h[RecordBatchLayout.MagicOffset] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(h[RecordBatchLayout.AttributesOffset..], (short)(codec is null ? 0 : (int)codec.Type));
        BinaryPrimitives.WriteInt32BigEndian(h[RecordBatchLayout.LastOffsetDeltaOffset..], RecordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(h[RecordBatchLayout.BaseTimestampOffset..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(h[RecordBatchLayout.MaxTimestampOffset..], MaxTimestamp);
        BinaryPrimitives.WriteInt32BigEndian(h[RecordBatchLayout.RecordCountOffset..], RecordCount);
        _sealed = target;
        _sealedLength = length;
        Reseal();
    }

    /// <summary>Writes producer id, epoch and base sequence into the sealed header and recomputes the CRC.</summary>
    public void Reseal()
    {
        var bytes = _sealed.AsSpan(0, _sealedLength);
        BinaryPrimitives.WriteInt64BigEndian(bytes[RecordBatchLayout.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(bytes[RecordBatchLayout.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(bytes[RecordBatchLayout.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[RecordBatchLayout.CrcOffset..],
            Crc32C.Compute(bytes[RecordBatchLayout.AttributesOffset..]));
    }

    /// <summary>Reports every record's outcome. <paramref name="logAppendTime"/> is -1 for CreateTime topics.</summary>
    public void Complete(long baseOffset, long logAppendTime, KafkaException? error)
    {
        for (var i = 0; i < RecordCount; i++)
        {
            var c = _completions[i];
            if (c.Handler is null) continue;
            var ts = logAppendTime >= 0 ? logAppendTime : c.Timestamp;
            var offset = baseOffset >= 0 ? baseOffset + i : -1;
            var metadata = new RecordMetadata(Partition.Topic, Partition.Partition, offset, DateTimeOffset.FromUnixTimeMilliseconds(ts));
            switch (c.Handler)
            {
                case Action<DeliveryReport> callback:
                    try { callback(new DeliveryReport(metadata, error)); }
                    catch (Exception) { /* a throwing user callback must not stop the sender */ }
                    break;
                case TaskCompletionSource<RecordMetadata> tcs:
                    if (error is null) tcs.TrySetResult(metadata);
                    else tcs.TrySetException(error);
                    break;
            }
        }
    }

    /// <summary>Returns the buffers to the pool; the batch object may be reused.</summary>
    public byte[] ReleaseBuffer()
    {
        if (_sealed is not null && !ReferenceEquals(_sealed, _buffer)) ArrayPool<byte>.Shared.Return(_sealed);
        _sealed = null;
        _sealedLength = 0;
        Array.Clear(_completions, 0, RecordCount);
        RecordCount = 0;
        var buffer = _buffer;
        _buffer = [];
        return buffer;
    }

    private readonly record struct Completion(object? Handler, long Timestamp);
}
