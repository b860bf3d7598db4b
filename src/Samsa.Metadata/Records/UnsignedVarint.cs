using System.Buffers;

namespace Samsa.Metadata.Records;

/// <summary>Kafka's unsigned varint (7 bits per byte, little-endian groups), for the record frame header.</summary>
internal static class UnsignedVarint
{
    public static void Write(IBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(5);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }

    /// <summary>Reads one varint at <paramref name="position"/>; false when the input ends first or the value is too long.</summary>
    public static bool TryRead(ReadOnlySpan<byte> input, ref int position, out uint value)
    {
        value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= input.Length)
                return false;
            var b = input[position++];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return shift < 28 || b <= 0x0F;
        }

        return false;
    }
}
