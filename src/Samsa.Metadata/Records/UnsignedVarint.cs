using System.Buffers;
using Samsa.Protocol;

namespace Samsa.Metadata.Records;

/// <summary>Unsigned varints for the record frame header, over the protocol's <see cref="Varint"/>.</summary>
internal static class UnsignedVarint
{
    public static void Write(IBufferWriter<byte> output, uint value)
        => output.Advance(Varint.WriteUnsigned(output.GetSpan(Varint.MaxBytes32), value));

    /// <summary>Reads one varint at <paramref name="position"/>; false when the input ends first or the value is too long.</summary>
    public static bool TryRead(ReadOnlySpan<byte> input, ref int position, out uint value)
    {
        try
        {
            value = Varint.ReadUnsigned(input[position..], out var read);
            position += read;
            return true;
        }
        catch (KafkaProtocolException)
        {
            value = 0;
            return false;
        }
    }
}
