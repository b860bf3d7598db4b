using System.Numerics;

namespace Samsa.Protocol;

/// <summary>
/// Kafka's variable-length integers: unsigned LEB128 (at most 5 bytes for 32 bits, 10 for 64) and
/// zig-zag signed varint/varlong as used by record batches and flexible message versions.
/// </summary>
public static class Varint
{
    public const int MaxBytes32 = 5;
    public const int MaxBytes64 = 10;

    public static int SizeOfUnsigned(uint value) => (38 - BitOperations.LeadingZeroCount(value | 1)) / 7;

    public static int SizeOfUnsigned64(ulong value) => (70 - BitOperations.LeadingZeroCount(value | 1)) / 7;

    public static int SizeOfInt32(int value) => SizeOfUnsigned(ZigZag(value));

    public static int SizeOfInt64(long value) => SizeOfUnsigned64(ZigZag(value));

    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    /// <summary>Writes an unsigned varint; returns the bytes written. The destination must hold
    /// <see cref="SizeOfUnsigned"/> bytes.</summary>
    public static int WriteUnsigned(Span<byte> destination, uint value) => WriteUnsigned64(destination, value);

    public static int WriteUnsigned64(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int WriteInt32(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZag(value));

    public static int WriteInt64(Span<byte> destination, long value) => WriteUnsigned64(destination, ZigZag(value));

    /// <summary>Reads an unsigned varint of at most 5 bytes. Throws <see cref="InsufficientDataException"/>
    /// when the source ends first and <see cref="InvalidVarintException"/> when it is longer.</summary>
    public static uint ReadUnsigned(ReadOnlySpan<byte> source, out int bytesRead) =>
        (uint)ReadUnsigned(source, MaxBytes32, out bytesRead);

    /// <summary>Reads an unsigned varint of at most 10 bytes.</summary>
    public static ulong ReadUnsigned64(ReadOnlySpan<byte> source, out int bytesRead) =>
        ReadUnsigned(source, MaxBytes64, out bytesRead);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong ReadUnsigned(ReadOnlySpan<byte> source, int maxBytes, out int bytesRead)
    {
        ulong result = 0;
        for (int i = 0; i < maxBytes; i++)
        {
            if (i >= source.Length)
                throw new InsufficientDataException(maxBytes == MaxBytes32 ? "Input ended inside a varint." : "Input ended inside a varlong.");
            ulong b = source[i];
            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                bytesRead = i + 1;
                return result;
            }
        }
        throw new InvalidVarintException(maxBytes == MaxBytes32 ? "Varint is longer than 5 bytes." : "Varlong is longer than 10 bytes.");
    }

    /// <summary>Reads a zig-zag varint (Kafka's varint, int32).</summary>
    public static int ReadInt32(ReadOnlySpan<byte> source, out int bytesRead) => UnZigZag(ReadUnsigned(source, out bytesRead));

    /// <summary>Reads a zig-zag varlong (Kafka's varlong, int64).</summary>
    public static long ReadInt64(ReadOnlySpan<byte> source, out int bytesRead) => UnZigZag(ReadUnsigned64(source, out bytesRead));
}
