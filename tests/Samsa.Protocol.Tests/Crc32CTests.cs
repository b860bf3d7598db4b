using System.Text;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests;

public class Crc32CTests
{
    [Theory]
    // Check values of CRC-32C (iSCSI, RFC 3720 appendix B.4).
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    public void KnownVectors(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void ThirtyTwoZeroBytes() => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void AppendEqualsWhole()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        uint whole = Crc32C.Compute(data);
        for (int cut = 0; cut <= data.Length; cut += 37)
        {
            Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(data.AsSpan(0, cut)), data.AsSpan(cut)));
        }
    }

    [Fact]
    public void EveryLengthUpTo4096MatchesBitwiseReference()
    {
        var rng = new Random(11);
        var data = new byte[4096 + 7];
        rng.NextBytes(data);
        for (int len = 0; len <= 4096; len++)
        {
            // Odd start offsets too: the fast path reads unaligned words.
            ReadOnlySpan<byte> slice = data.AsSpan(len % 8, len);
            Assert.Equal(Bitwise(slice), Crc32C.Compute(slice));
        }
    }

    [Theory]
    [InlineData(3 * 4096)]
    [InlineData(3 * 4096 + 3 * 256 + 5)]
    [InlineData(1024 * 1024 + 13)]
    [InlineData(5_000_003)]
    public void LargeInputsMatchBitwiseReference(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        Assert.Equal(Bitwise(data), Crc32C.Compute(data));
        Assert.Equal(Bitwise(data), Crc32C.Append(Crc32C.Compute(data.AsSpan(0, length / 3)), data.AsSpan(length / 3)));
    }

    /// <summary>The textbook bit-at-a-time CRC-32C (reflected polynomial 0x82F63B78).</summary>
    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }
}
