namespace Samsa.Protocol.Records;

/// <summary>
/// Reads the records of one batch lazily, checking each as it goes: lengths inside bounds, each
/// record's fields using exactly its declared length, offset deltas increasing and within the
/// batch's last offset delta, and as many records as the batch says. Anything else throws
/// <see cref="CorruptRecordException"/>. A compressed batch was decompressed into a pooled buffer,
/// which <see cref="Dispose"/> gives back (<c>foreach</c> does that).
/// </summary>
public ref struct RecordEnumerator
{
    private const int MinRecordSize = 7; // length, attributes, two deltas, key, value, header count: one byte each

    private readonly ReadOnlySpan<byte> _records;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly long _maxTimestamp;
    private readonly bool _logAppendTime;
    private readonly int _lastOffsetDelta;
    private readonly int _declaredCount;
    private PooledBufferWriter? _decompressed;
    private readonly int _generation;
    private int _position;
    private int _read;
    private int _previousOffsetDelta;

    internal RecordEnumerator(ReadOnlySpan<byte> records, PooledBufferWriter? decompressed, RecordBatchHeader header)
    {
        _records = records;
        _decompressed = decompressed;
        _generation = decompressed?.Generation ?? 0;
        _baseOffset = header.BaseOffset;
        _baseTimestamp = header.BaseTimestamp;
        _maxTimestamp = header.MaxTimestamp;
        _logAppendTime = header.IsLogAppendTime;
        _lastOffsetDelta = header.LastOffsetDelta;
        _declaredCount = header.RecordCount;
        _previousOffsetDelta = -1;
        if (_declaredCount < 0 || _declaredCount > records.Length / MinRecordSize)
        {
            Dispose();
            throw new CorruptRecordException($"batch claims {_declaredCount} records in {records.Length} bytes of records");
        }
    }

    public Record Current { get; private set; }

    /// <summary>Records read so far.</summary>
    public readonly int Count => _read;

    public readonly RecordEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_read == _declaredCount)
        {
            if (_position != _records.Length)
            {
                throw new CorruptRecordException($"{_records.Length - _position} bytes left after the batch's {_declaredCount} records");
            }
            return false;
        }

        int start = _position;
        int length = RecordVarint.Read(_records, ref _position);
        if (length < MinRecordSize - 1 || length > _records.Length - _position)
        {
            throw new CorruptRecordException($"record {_read} has length {length} with {_records.Length - _position} bytes left");
        }
        ReadOnlySpan<byte> body = _records.Slice(_position, length);
        _position += length;

        int p = 0;
        byte attributes = body[p++];
        long timestampDelta = RecordVarint.ReadLong(body, ref p);
        int offsetDelta = RecordVarint.Read(body, ref p);
        if (offsetDelta <= _previousOffsetDelta || offsetDelta > _lastOffsetDelta)
        {
            throw new CorruptRecordException(
                $"record {_read} has offset delta {offsetDelta} after {_previousOffsetDelta} (last offset delta {_lastOffsetDelta})");
        }
        _previousOffsetDelta = offsetDelta;

        ReadOnlySpan<byte> key = ReadBytes(body, ref p, _read, "key", out bool hasKey);
        ReadOnlySpan<byte> value = ReadBytes(body, ref p, _read, "value", out bool hasValue);

        int headerCount = RecordVarint.Read(body, ref p);
        if (headerCount < 0 || headerCount > (body.Length - p) / 2)
        {
            throw new CorruptRecordException($"record {_read} claims {headerCount} headers in {body.Length - p} bytes");
        }
        int headersStart = p;
        for (int i = 0; i < headerCount; i++)
        {
            ReadBytes(body, ref p, _read, "header key", out bool hasHeaderKey);
            if (!hasHeaderKey)
            {
                throw new CorruptRecordException($"record {_read} has a header with a null key");
            }
            ReadBytes(body, ref p, _read, "header value", out _);
        }
        if (p != body.Length)
        {
            throw new CorruptRecordException($"record {_read} declares {length} bytes but its fields take {p}");
        }

        long timestamp = _logAppendTime ? _maxTimestamp : _baseTimestamp + timestampDelta;
        Current = new Record(
            _baseOffset + offsetDelta, offsetDelta, timestamp, timestampDelta, attributes,
            key, hasKey, value, hasValue, body[headersStart..], headerCount, _position - start);
        _read++;
        return true;
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> body, scoped ref int p, int index, string what, out bool present)
    {
        int length = RecordVarint.Read(body, ref p);
        if (length < 0)
        {
            if (length != -1)
            {
                throw new CorruptRecordException($"record {index} has {what} length {length}");
            }
            present = false;
            return default;
        }
        if (length > body.Length - p)
        {
            throw new CorruptRecordException($"record {index} has {what} length {length} with {body.Length - p} bytes left in the record");
        }
        present = true;
        ReadOnlySpan<byte> bytes = body.Slice(p, length);
        p += length;
        return bytes;
    }

    /// <summary>Returns the decompression buffer to the pool; spans from this enumerator are invalid afterwards.</summary>
    public void Dispose()
    {
        if (_decompressed is not null)
        {
            DecompressionBuffers.Return(_decompressed, _generation);
            _decompressed = null;
        }
    }
}

/// <summary>One cached decompression buffer per thread, so reading compressed batches allocates nothing in steady state.</summary>
internal static class DecompressionBuffers
{
    private const int MaxCachedCapacity = 8 * 1024 * 1024;

    [ThreadStatic] private static PooledBufferWriter? t_cached;

    public static PooledBufferWriter Rent()
    {
        PooledBufferWriter writer = t_cached ?? new PooledBufferWriter(64 * 1024);
        t_cached = null;
        writer.Generation++;
        return writer;
    }

    /// <summary>
    /// Takes the buffer back from the owner that rented it as <paramref name="generation"/>; a
    /// second return (a disposed copy of an enumerator) finds the generation moved on and does nothing.
    /// </summary>
    public static void Return(PooledBufferWriter writer, int generation)
    {
        if (writer.Generation != generation)
        {
            return;
        }
        writer.Generation++;
        writer.Clear();
        if (t_cached is null && writer.Capacity <= MaxCachedCapacity)
        {
            t_cached = writer;
        }
        else
        {
            writer.Dispose();
        }
    }
}
