using System.Buffers;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Tests;

public class PrimitivesTests
{
    private static byte[] Written(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(1u, new byte[] { 0x01 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void UnsignedVarintMatchesLeb128(uint value, byte[] expected)
    {
        var span = new byte[5];
        int n = Varint.WriteUnsigned(span, value);
        Assert.Equal(expected, span[..n]);
        Assert.Equal(expected.Length, Varint.SizeOfUnsigned(value));
        Assert.Equal(value, Varint.ReadUnsigned(expected, out int read));
        Assert.Equal(expected.Length, read);
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void SignedVarintIsZigZag(int value, byte[] expected)
    {
        var span = new byte[5];
        int n = Varint.WriteInt32(span, value);
        Assert.Equal(expected, span[..n]);
        Assert.Equal(value, Varint.ReadInt32(expected, out _));
        Assert.Equal(expected.Length, Varint.SizeOfInt32(value));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(1L << 40)]
    public void VarlongRoundTrips(long value)
    {
        var span = new byte[10];
        int n = Varint.WriteInt64(span, value);
        Assert.Equal(n, Varint.SizeOfInt64(value));
        Assert.Equal(value, Varint.ReadInt64(span.AsSpan(0, n), out int read));
        Assert.Equal(n, read);
    }

    [Fact]
    public void VarintLongerThanFiveBytesThrows()
    {
        Assert.Throws<InvalidVarintException>(() => Varint.ReadUnsigned(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, out _));
        Assert.Throws<InvalidVarintException>(() => Varint.ReadUnsigned64(Enumerable.Repeat((byte)0x80, 11).ToArray(), out _));
        Assert.Throws<InsufficientDataException>(() => Varint.ReadUnsigned(new byte[] { 0x80, 0x80 }, out _));
    }

    [Fact]
    public void UuidIsBigEndian()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        byte[] bytes = Written(o => { var w = new KafkaWriter(o); w.WriteUuid(id); w.Flush(); });
        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"), bytes);
        var reader = new KafkaReader(bytes);
        Assert.Equal(id, reader.ReadUuid());
    }

    [Fact]
    public void StringsUseInt16OrCompactLengths()
    {
        byte[] classic = Written(o => { var w = new KafkaWriter(o); w.WriteString("ab", compact: false); w.WriteString(null, compact: false); w.Flush(); });
        Assert.Equal(new byte[] { 0, 2, (byte)'a', (byte)'b', 0xFF, 0xFF }, classic);
        byte[] compact = Written(o => { var w = new KafkaWriter(o); w.WriteString("ab", compact: true); w.WriteString(null, compact: true); w.Flush(); });
        Assert.Equal(new byte[] { 3, (byte)'a', (byte)'b', 0 }, compact);
        var reader = new KafkaReader(compact);
        Assert.Equal("ab", reader.ReadString(compact: true));
        Assert.Null(reader.ReadNullableString(compact: true));
        Assert.True(reader.End);
    }

    [Fact]
    public void ApiVersionsRequestV3HasTheKnownLayout()
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "x", ClientSoftwareVersion = "1" };
        byte[] bytes = Written(o => request.Write(o, 3));
        // compact "x", compact "1", empty tagged fields
        Assert.Equal(new byte[] { 2, (byte)'x', 2, (byte)'1', 0 }, bytes);
    }

    [Fact]
    public void LengthBeyondTheInputThrowsBeforeAllocating()
    {
        Assert.Throws<InvalidLengthException>(() => new KafkaReader(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF, 1, 2 }).ReadBytes(compact: false));
        Assert.Throws<InvalidLengthException>(() => new KafkaReader(new byte[] { 0xFF, 0xFE }).ReadString(compact: false));
        Assert.Throws<InvalidLengthException>(() => new KafkaReader(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF }).ReadArrayLength(compact: false));
        Assert.Throws<InvalidLengthException>(() => new KafkaReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F }).ReadBytes(compact: true));
    }

    [Fact]
    public void TruncatedInputThrows() =>
        Assert.Throws<InsufficientDataException>(() => new KafkaReader(new byte[] { 0, 0, 0 }).ReadInt64());
}
