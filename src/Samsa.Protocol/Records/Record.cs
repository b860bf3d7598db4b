namespace Samsa.Protocol.Records;

/// <summary>
/// One record of a batch being read, as views into the (decompressed) batch bytes: nothing is
/// copied, and the spans are valid until the enumerator moves on or is disposed.
/// </summary>
public readonly ref struct Record
{
    private readonly ReadOnlySpan<byte> _headers;

    internal Record(
        long offset, int offsetDelta, long timestamp, long timestampDelta, byte attributes,
        ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue,
        ReadOnlySpan<byte> headers, int headerCount, int sizeInBytes)
    {
        Offset = offset;
        OffsetDelta = offsetDelta;
        Timestamp = timestamp;
        TimestampDelta = timestampDelta;
        Attributes = attributes;
        Key = key;
        HasKey = hasKey;
        Value = value;
        HasValue = hasValue;
        _headers = headers;
        HeaderCount = headerCount;
        SizeInBytes = sizeInBytes;
    }

    /// <summary>Batch base offset + <see cref="OffsetDelta"/>.</summary>
    public long Offset { get; }
    public int OffsetDelta { get; }
    /// <summary>Base timestamp + delta, or the batch's max timestamp when the batch uses LogAppendTime.</summary>
    public long Timestamp { get; }
    public long TimestampDelta { get; }
    /// <summary>The record's int8 attributes (unused by Kafka so far, kept as read).</summary>
    public byte Attributes { get; }
    public ReadOnlySpan<byte> Key { get; }
    /// <summary>False when the key is null (as opposed to empty).</summary>
    public bool HasKey { get; }
    public ReadOnlySpan<byte> Value { get; }
    /// <summary>False when the value is null: a tombstone.</summary>
    public bool HasValue { get; }
    public int HeaderCount { get; }
    /// <summary>Bytes the record takes in the records section, its length varint included.</summary>
    public int SizeInBytes { get; }

    /// <summary>The headers, read lazily: <c>foreach (RecordHeader h in record.Headers)</c>.</summary>
    public RecordHeaderEnumerator Headers => new(_headers, HeaderCount);

    /// <summary>Copies the headers into <paramref name="buffer"/> (grown when too small) for
    /// re-encoding the record; the returned span is valid until the buffer is reused.</summary>
    public ReadOnlySpan<Header> CopyHeaders(ref Header[]? buffer)
    {
        if (HeaderCount == 0)
        {
            return default;
        }
        if (buffer is null || buffer.Length < HeaderCount)
        {
            buffer = new Header[Math.Max(4, HeaderCount)];
        }
        int i = 0;
        foreach (RecordHeader h in Headers)
        {
            buffer[i++] = new Header(h.KeyString, h.HasValue ? h.Value.ToArray() : null);
        }
        return buffer.AsSpan(0, HeaderCount);
    }
}
