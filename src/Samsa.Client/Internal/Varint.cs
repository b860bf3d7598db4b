namespace Samsa.Client.Internal;

/// <summary>Zig-zag varints of the record format (ints and longs use the same encoding).</summary>
internal static class Varint
{
    public static int Size(long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        var n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }
        return n;
    }

    public static int Write(Span<byte> destination, int position, long value)
    {
        var v = (ulong)((value << 1) ^ (value >> 63));
        while (v >= 0x80)
        {
            destination[position++] = (byte)(v | 0x80);
            v >>= 7;
        }
        destination[position++] = (byte)v;
        return position;
    }
}
