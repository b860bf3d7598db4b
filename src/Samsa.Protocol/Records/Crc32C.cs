using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Samsa.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of magic-2 record batches. System.IO.Hashing only ships the
/// IEEE polynomial, so this uses <see cref="BitOperations.Crc32C(uint, ulong)"/>, which the JIT turns
/// into the SSE4.2 / ARMv8 CRC instruction (with a table fallback elsewhere).
/// </summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC over more bytes: <c>Append(Append(0, a), b) == Compute(a ++ b)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (ulong w in words)
        {
            // The instruction consumes the word little-endian, matching the byte order of the data.
            state = BitOperations.Crc32C(state, BitConverter.IsLittleEndian ? w : BinaryPrimitives.ReverseEndianness(w));
        }
        foreach (byte b in data[(words.Length * sizeof(ulong))..])
        {
            state = BitOperations.Crc32C(state, b);
        }
        return ~state;
    }
}
