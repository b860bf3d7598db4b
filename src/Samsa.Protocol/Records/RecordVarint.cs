namespace Samsa.Protocol.Records;

/// <summary>
/// Zig-zag varint/varlong as records use them (Kafka's ByteUtils layout: protobuf-style base-128,
/// at most 5 bytes for an int and 10 for a long). Internal so that only one public copy of the
/// wire primitives exists; a malformed varint inside a record is a corrupt record.
/// </summary>
internal static class RecordVarint
{
    public static int Read(ReadOnlySpan<byte> source, ref int position)
    {
        uint raw = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            if ((uint)position >= (uint)source.Length)
            {
                throw new CorruptRecordException("record ends inside a varint");
            }
            byte b = source[position++];
            raw |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (int)(raw >> 1) ^ -(int)(raw & 1);
            }
        }
        throw new CorruptRecordException("varint longer than 5 bytes in a record");
    }

    public static long ReadLong(ReadOnlySpan<byte> source, ref int position)
    {
        ulong raw = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if ((uint)position >= (uint)source.Length)
            {
                throw new CorruptRecordException("record ends inside a varlong");
            }
            byte b = source[position++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return (long)(raw >> 1) ^ -(long)(raw & 1);
            }
        }
        throw new CorruptRecordException("varlong longer than 10 bytes in a record");
    }

    public static int Size(int value) => SizeUnsigned((uint)((value << 1) ^ (value >> 31)));

    public static int SizeLong(long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        int size = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            size++;
        }
        return size;
    }

    private static int SizeUnsigned(uint v)
    {
        int size = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            size++;
        }
        return size;
    }

    /// <summary>Writes at <paramref name="position"/> and advances it; the caller sized the span.</summary>
    public static void Write(Span<byte> destination, ref int position, int value)
    {
        uint v = (uint)((value << 1) ^ (value >> 31));
        while (v >= 0x80)
        {
            destination[position++] = (byte)(v | 0x80);
            v >>= 7;
        }
        destination[position++] = (byte)v;
    }

    public static void WriteLong(Span<byte> destination, ref int position, long value)
    {
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            destination[position++] = (byte)(v | 0x80);
            v >>= 7;
        }
        destination[position++] = (byte)v;
    }
}
