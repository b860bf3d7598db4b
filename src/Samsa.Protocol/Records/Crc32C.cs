using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Samsa.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of magic-2 record batches. System.IO.Hashing only ships the
/// IEEE polynomial, so this uses <see cref="BitOperations.Crc32C(uint, ulong)"/>, which the JIT turns
/// into the SSE4.2 / ARMv8 CRC instruction (with a table fallback elsewhere).
/// <para>One CRC instruction depends on the previous one's result, so a single stream runs at the
/// instruction's latency (about one word per three cycles). Large inputs are cut into chunks of three
/// equal blocks whose CRCs run as three independent streams and are then joined: the CRC register is
/// linear over GF(2), so the state after block A followed by B equals "A's state shifted over |B| zero
/// bytes" XOR "B's state from zero". The shift over a fixed block length is a 32x32 bit matrix, kept as
/// four 256-entry tables derived at startup by running the instruction over zeros.</para>
/// </summary>
public static class Crc32C
{
    // Block lengths (bytes per stream); a chunk is three blocks.
    private const int LongBlock = 4096;
    private const int ShortBlock = 256;

    private static readonly uint[] LongShift = ShiftTable(LongBlock);
    private static readonly uint[] ShortShift = ShiftTable(ShortBlock);

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC over more bytes: <c>Append(Append(0, a), b) == Compute(a ++ b)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (BitConverter.IsLittleEndian)
        {
            while (data.Length >= 3 * LongBlock)
            {
                state = ThreeWay(state, data[..(3 * LongBlock)], LongBlock, LongShift);
                data = data[(3 * LongBlock)..];
            }
            while (data.Length >= 3 * ShortBlock)
            {
                state = ThreeWay(state, data[..(3 * ShortBlock)], ShortBlock, ShortShift);
                data = data[(3 * ShortBlock)..];
            }
        }
        return ~Serial(state, data);
    }

    /// <summary>One dependent chain: the reference the three-way path must agree with.</summary>
    internal static uint Serial(uint state, ReadOnlySpan<byte> data)
    {
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
        return state;
    }

    private static uint ThreeWay(uint state, ReadOnlySpan<byte> chunk, int block, uint[] shift)
    {
        ref byte a = ref MemoryMarshal.GetReference(chunk);
        ref byte b = ref Unsafe.Add(ref a, block);
        ref byte c = ref Unsafe.Add(ref b, block);
        uint sa = state, sb = 0, sc = 0;
        for (int i = 0; i < block; i += sizeof(ulong))
        {
            // The chunk is a byte span of any alignment; three independent chains keep the unit busy.
            sa = BitOperations.Crc32C(sa, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)));
            sb = BitOperations.Crc32C(sb, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)));
            sc = BitOperations.Crc32C(sc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref c, i)));
        }
        return Shift(Shift(sa, shift) ^ sb, shift) ^ sc;
    }

    private static uint Shift(uint s, uint[] t) =>
        t[s & 0xFF] ^ t[256 + ((s >> 8) & 0xFF)] ^ t[512 + ((s >> 16) & 0xFF)] ^ t[768 + (s >> 24)];

    /// <summary>
    /// The map "register state → state after <paramref name="bytes"/> zero bytes", as four byte tables.
    /// The 32 basis images come from the instruction itself; every other entry is an XOR of them.
    /// </summary>
    private static uint[] ShiftTable(int bytes)
    {
        Span<uint> basis = stackalloc uint[32];
        for (int bit = 0; bit < 32; bit++)
        {
            uint s = 1u << bit;
            for (int i = 0; i < bytes / sizeof(ulong); i++)
            {
                s = BitOperations.Crc32C(s, 0UL);
            }
            basis[bit] = s;
        }
        uint[] table = new uint[4 * 256];
        for (int k = 0; k < 4; k++)
        {
            for (int v = 1; v < 256; v++)
            {
                int low = v & -v;
                table[k * 256 + v] = table[k * 256 + (v ^ low)] ^ basis[k * 8 + BitOperations.TrailingZeroCount(low)];
            }
        }
        return table;
    }
}
