using System.Text;

namespace Samsa.Protocol.Records;

/// <summary>
/// The bytes of one record in a magic-2 batch: length varint, attributes (0), timestamp delta,
/// offset delta, key, value, header count, headers. <see cref="RecordBatchBuilder"/> and the
/// client's producer batches both encode through it, so the record layout is written in one place.
/// A length of -1 stands for a null key, value or header value. Callers size the destination
/// with <see cref="TotalSize"/>; nothing here allocates.
/// </summary>
public static class RecordWriter
{
    /// <summary>Bytes of one header whose key is <paramref name="keyByteCount"/> bytes of UTF-8.</summary>
    public static int HeaderSize(int keyByteCount, int valueLength) =>
        Varint.SizeOfInt32(keyByteCount) + keyByteCount + BytesSize(valueLength);

    /// <summary>Bytes counted by a record's length prefix; <paramref name="headersSize"/> is the sum of <see cref="HeaderSize"/>.</summary>
    public static int BodySize(long timestampDelta, int offsetDelta, int keyLength, int valueLength, int headerCount, int headersSize) =>
        1 + Varint.SizeOfInt64(timestampDelta) + Varint.SizeOfInt32(offsetDelta) + BytesSize(keyLength) + BytesSize(valueLength)
        + Varint.SizeOfInt32(headerCount) + headersSize;

    /// <summary>Bytes of the whole record, its length prefix included.</summary>
    public static int TotalSize(int bodySize) => Varint.SizeOfInt32(bodySize) + bodySize;

    /// <summary>
    /// Writes the record up to and including the header count and returns the bytes written; the
    /// headers follow, each with <see cref="WriteHeader"/>.
    /// </summary>
    public static int WriteStart(Span<byte> destination, int bodySize, long timestampDelta, int offsetDelta,
        ReadOnlySpan<byte> key, int keyLength, ReadOnlySpan<byte> value, int valueLength, int headerCount)
    {
        int p = Varint.WriteInt32(destination, bodySize);
        destination[p++] = 0; // record attributes: unused
        p += Varint.WriteInt64(destination[p..], timestampDelta);
        p += Varint.WriteInt32(destination[p..], offsetDelta);
        p += WriteBytes(destination[p..], key, keyLength);
        p += WriteBytes(destination[p..], value, valueLength);
        p += Varint.WriteInt32(destination[p..], headerCount);
        return p;
    }

    /// <summary>Writes one header (key as UTF-8 of <paramref name="keyByteCount"/> bytes) and returns the bytes written.</summary>
    public static int WriteHeader(Span<byte> destination, string key, int keyByteCount, ReadOnlySpan<byte> value, int valueLength)
    {
        int p = Varint.WriteInt32(destination, keyByteCount);
        p += Encoding.UTF8.GetBytes(key, destination[p..]);
        p += WriteBytes(destination[p..], value, valueLength);
        return p;
    }

    private static int BytesSize(int length) => length < 0 ? 1 : Varint.SizeOfInt32(length) + length;

    private static int WriteBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, int length)
    {
        if (length < 0)
        {
            return Varint.WriteInt32(destination, -1);
        }
        int p = Varint.WriteInt32(destination, length);
        bytes[..length].CopyTo(destination[p..]);
        return p + length;
    }
}
