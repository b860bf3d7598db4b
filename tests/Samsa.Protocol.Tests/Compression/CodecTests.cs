using System.Buffers;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;
using Samsa.Protocol.Tests.Records;

namespace Samsa.Protocol.Tests.Compression;

public class CodecTests
{
    public static TheoryData<CompressionType> AllCodecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    public static TheoryData<CompressionType> RealCodecs => new()
    {
        CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void RoundTripsAcrossBlockBoundaries(CompressionType type)
    {
        ICompressionCodec codec = CompressionCodecs.Get(type);
        foreach (int size in new[] { 0, 1, 100, 32 * 1024, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 1024 * 1024 + 3 })
        {
            byte[] data = TestData.JsonText(size, size);
            var compressed = new ArrayBufferWriter<byte>();
            codec.Compress(data, compressed);
            var output = new ArrayBufferWriter<byte>();
            codec.Decompress(compressed.WrittenSpan, output, size);
            Assert.True(output.WrittenSpan.SequenceEqual(data), $"{type} at {size} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void OutputBeyondTheLimitIsRefusedNotAllocated(CompressionType type)
    {
        ICompressionCodec codec = CompressionCodecs.Get(type);
        var compressed = new ArrayBufferWriter<byte>();
        codec.Compress(new byte[8 * 1024 * 1024], compressed); // zeros: a small input that expands 8 MiB
        var output = new ArrayBufferWriter<byte>();
        var e = Assert.Throws<DecompressedSizeLimitExceededException>(() => codec.Decompress(compressed.WrittenSpan, output, 1024 * 1024));
        Assert.Equal(1024 * 1024, e.Limit);
        Assert.True(output.WrittenCount <= 1024 * 1024);
    }

    [Theory]
    [MemberData(nameof(RealCodecs))]
    public void GarbageIsACorruptRecord(CompressionType type)
    {
        ICompressionCodec codec = CompressionCodecs.Get(type);
        var random = new Random((int)type);
        for (int i = 0; i < 200; i++)
        {
            byte[] garbage = new byte[random.Next(0, 300)];
            random.NextBytes(garbage);
            try
            {
                codec.Decompress(garbage, new ArrayBufferWriter<byte>(), 1024 * 1024);
            }
            catch (CorruptRecordException)
            {
            }
        }
        Assert.ThrowsAny<CorruptRecordException>(() => codec.Decompress([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08], new ArrayBufferWriter<byte>(), 1024));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(-1)]
    public void UnknownCodecIdsAreRejectedClearly(int id)
    {
        var e = Assert.Throws<UnsupportedCompressionTypeException>(() => CompressionCodecs.Get(id));
        Assert.Equal(id, e.CodecId);
        Assert.Contains("unknown compression codec", e.Message);
    }

    [Theory]
    [InlineData("gzip", CompressionType.Gzip)]
    [InlineData("Snappy", CompressionType.Snappy)]
    [InlineData("lz4", CompressionType.Lz4)]
    [InlineData("zstd", CompressionType.Zstd)]
    [InlineData("none", CompressionType.None)]
    public void KafkaCodecNamesParse(string name, CompressionType expected)
    {
        Assert.True(CompressionCodecs.TryParse(name, out CompressionType parsed));
        Assert.Equal(expected, parsed);
        Assert.Equal(name.ToLowerInvariant(), CompressionCodecs.Name(parsed));
        Assert.False(CompressionCodecs.TryParse("brotli", out _));
    }

    [Fact]
    public void Lz4FrameHeaderIsTheOneJavaClientsWrite()
    {
        var compressed = new ArrayBufferWriter<byte>();
        CompressionCodecs.Lz4.Compress(TestData.JsonText(1000, 1), compressed);
        // magic 0x184D2204 (little-endian), FLG version 01 + independent blocks, BD 64 KiB, header checksum
        Assert.Equal("04224D186040", Convert.ToHexString(compressed.WrittenSpan[..6]));
        Assert.Equal(0x82, compressed.WrittenSpan[6]); // xxh32 of FLG/BD, second byte
        Assert.Equal("00000000", Convert.ToHexString(compressed.WrittenSpan[^4..])); // end mark
    }
}
