using System.Buffers.Binary;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

/// <summary>Magic 0/1 message sets: round trips, Kafka's validation errors, and bad input that never crashes.</summary>
public class LegacyMessageSetTests
{
    public static TheoryData<byte, CompressionType> Formats => LegacyKafkaPythonCrossCheckTests.Formats();

    [Theory]
    [MemberData(nameof(Formats))]
    public void BuiltSetsReadBackWithOffsetsKeysValuesAndTimestamps(byte magic, CompressionType codec)
    {
        List<TestRecord> records = LegacyRecords.Records(200, seed: 1 + (int)codec, firstOffset: 77).Where(r => r.Offset % 5 != 0).ToList();
        byte[] set = LegacyRecords.Build(records, magic, codec);
        LegacyRecords.AssertSame(magic == 0 ? records.Select(r => r with { Timestamp = -1 }).ToList() : records, LegacyRecords.Read(set));
    }

    [Fact]
    public void MessageLayoutIsKafkas()
    {
        byte[] v0 = LegacyRecords.Build([new TestRecord(5, 123, [0xAA], [0xBB, 0xCC], [])], 0, CompressionType.None);
        // offset 5, size 14+3, crc, magic 0, attributes 0, key length 1, key, value length 2, value
        Assert.Equal("0000000000000005" + "00000011", Convert.ToHexString(v0[..12]));
        Assert.Equal("0000" + "00000001AA" + "00000002BBCC", Convert.ToHexString(v0[16..]));
        Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(v0.AsSpan(16)), BinaryPrimitives.ReadUInt32BigEndian(v0.AsSpan(12)));

        byte[] v1 = LegacyRecords.Build([new TestRecord(5, 123, null, [0xBB], [])], 1, CompressionType.None);
        Assert.Equal("0000000000000005" + "00000017", Convert.ToHexString(v1[..12]));
        Assert.Equal("0100" + "000000000000007B" + "FFFFFFFF" + "00000001BB", Convert.ToHexString(v1[16..]));
    }

    [Fact]
    public void ACrcMismatchIsACorruptMessage()
    {
        byte[] set = LegacyRecords.Build(LegacyRecords.Records(3, 1), 1, CompressionType.None);
        set[^1] ^= 0x01;
        var e = Assert.Throws<CorruptRecordException>(() => LegacyRecords.Read(set));
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void MagicTwoInAMessageSetIsAnInvalidRecord()
    {
        byte[] batch = TestData.BuildWithSamsa(TestData.Records(3, 1), CompressionType.None);
        Assert.Throws<InvalidRecordException>(() => LegacyRecords.Read(batch));
    }

    [Fact]
    public void ANestedCompressedMessageIsAnInvalidRecord()
    {
        byte[] inner = LegacyRecords.Build(LegacyRecords.Records(3, 1), 1, CompressionType.Gzip);
        Assert.Throws<InvalidRecordException>(() => LegacyRecords.Read(Wrap(1, CompressionType.Gzip, inner)));
    }

    [Fact]
    public void AWrapperWithNoMessagesOrANullValueIsAnInvalidRecord()
    {
        Assert.Throws<InvalidRecordException>(() => LegacyRecords.Read(Wrap(1, CompressionType.Gzip, [])));
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        LegacyMessageSetBuilder.WriteMessage(output, 0, 1, (byte)CompressionType.Snappy, 0, default, false, default, false);
        Assert.Throws<InvalidRecordException>(() => LegacyRecords.Read(output.WrittenSpan));
    }

    [Fact]
    public void AMagicZeroMessageInsideAMagicOneWrapperIsAnInvalidRecord()
    {
        byte[] inner = LegacyRecords.Build(LegacyRecords.Records(3, 1), 0, CompressionType.None);
        Assert.Throws<InvalidRecordException>(() => LegacyRecords.Read(Wrap(1, CompressionType.Gzip, inner)));
    }

    [Fact]
    public void ZstdAndUnknownCodecsAreRejected()
    {
        byte[] inner = LegacyRecords.Build(LegacyRecords.Records(3, 1), 1, CompressionType.None);
        Assert.Equal(4, Assert.Throws<UnsupportedCompressionTypeException>(() => LegacyRecords.Read(Wrap(1, CompressionType.Zstd, inner))).CodecId);
        Assert.Equal(6, Assert.Throws<UnsupportedCompressionTypeException>(() => LegacyRecords.Read(Wrap(1, (CompressionType)6, inner))).CodecId);
    }

    [Fact]
    public void ADecompressionBombStopsAtTheLimit()
    {
        List<TestRecord> big = [new TestRecord(0, 1, null, new byte[1_000_000], [])];
        byte[] set = LegacyRecords.Build(big, 1, CompressionType.Gzip);
        Assert.Throws<DecompressedSizeLimitExceededException>(() => LegacyRecords.Read(set, maxDecompressedSize: 64 * 1024));
    }

    [Fact]
    public void AnEmptySetDoesNotUpConvert()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<InvalidRecordException>(() => LegacyMessageSet.AppendTo([], builder));
    }

    [Fact]
    public void DownConversionStopsAtMaxBytesAfterTheFirstBatchAndSkipsControlBatches()
    {
        byte[] control = new EndTransactionMarker(ControlRecordType.Commit, 0).ToBatch(1, 0, 1, baseOffset: 0);
        byte[] a = TestData.BuildWithSamsa(LegacyRecords.Records(50, 1, firstOffset: 1), CompressionType.None, b => b.BaseOffset = 1);
        byte[] b = TestData.BuildWithSamsa(LegacyRecords.Records(50, 2, firstOffset: 51), CompressionType.None, b => b.BaseOffset = 51);
        byte[] log = [.. control, .. a, .. b];

        var all = new System.Buffers.ArrayBufferWriter<byte>();
        LegacyMessageSet.DownConvert(log, 1, 0, int.MaxValue, all);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), LegacyRecords.Read(all.WrittenSpan).Select(r => r.Offset));

        var limited = new System.Buffers.ArrayBufferWriter<byte>();
        LegacyMessageSet.DownConvert(log, 1, 0, 10, limited);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), LegacyRecords.Read(limited.WrittenSpan).Select(r => r.Offset));

        var partial = new System.Buffers.ArrayBufferWriter<byte>();
        LegacyMessageSet.DownConvert(log.AsSpan(0, log.Length - 10), 0, 30, int.MaxValue, partial);
        Assert.Equal(Enumerable.Range(30, 21).Select(i => (long)i), LegacyRecords.Read(partial.WrittenSpan).Select(r => r.Offset));
    }

    public static TheoryData<byte, CompressionType> MutatedFormats => Formats;

    [Theory]
    [MemberData(nameof(MutatedFormats))]
    public void EveryTruncationAndByteFlipFailsCleanlyOrReads(byte magic, CompressionType codec)
    {
        byte[] set = [.. LegacyRecords.Build(LegacyRecords.Records(4, 5), magic, codec), .. LegacyRecords.Build(LegacyRecords.Records(3, 6, 4), magic, codec)];
        for (int length = 0; length < set.Length; length++)
        {
            AssertFailsCleanlyOrReads(set.AsSpan(0, length));
        }
        var random = new Random(magic * 100 + (int)codec);
        for (int i = 0; i < set.Length; i++)
        {
            byte[] copy = (byte[])set.Clone();
            copy[i] ^= (byte)(1 << random.Next(8));
            AssertFailsCleanlyOrReads(copy);
            copy[i] = (byte)random.Next(256);
            AssertFailsCleanlyOrReads(copy);
        }
    }

    [Fact]
    public void GarbageWithValidCrcsFailsCleanly()
    {
        // Random attributes, lengths and compressed values behind correct CRCs reach the codecs and the length checks.
        var random = new Random(42);
        for (int i = 0; i < 3000; i++)
        {
            var output = new System.Buffers.ArrayBufferWriter<byte>();
            int messages = random.Next(1, 4);
            for (int m = 0; m < messages; m++)
            {
                byte[] value = new byte[random.Next(0, 200)];
                random.NextBytes(value);
                if (random.Next(3) == 0 && value.Length > 20)
                {
                    // A compressed-looking prefix: gzip magic, xerial header or an LZ4 frame magic.
                    byte[][] prefixes = [[0x1f, 0x8b, 8, 0], [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1], [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]];
                    byte[] prefix = prefixes[random.Next(prefixes.Length)];
                    prefix.CopyTo(value, 0);
                }
                LegacyMessageSetBuilder.WriteMessage(output, random.Next(), (byte)random.Next(2), (byte)random.Next(256), random.NextInt64(),
                    default, random.Next(2) == 0, value, random.Next(5) != 0);
            }
            AssertFailsCleanlyOrReads(output.WrittenSpan);
        }
        for (int i = 0; i < 3000; i++)
        {
            byte[] garbage = new byte[random.Next(0, 100)];
            random.NextBytes(garbage);
            AssertFailsCleanlyOrReads(garbage);
        }
    }

    private static void AssertFailsCleanlyOrReads(ReadOnlySpan<byte> set)
    {
        try
        {
            LegacyRecords.Read(set, maxDecompressedSize: 1 << 20);
            using var builder = new RecordBatchBuilder();
            LegacyMessageSet.AppendTo(set, builder, maxDecompressedSize: 1 << 20);
        }
        catch (KafkaProtocolException)
        {
            // CorruptRecordException (CORRUPT_MESSAGE) or InvalidRecordException (INVALID_RECORD): what the broker answers.
        }
    }

    /// <summary>A magic <paramref name="magic"/> wrapper message whose value is <paramref name="inner"/> compressed with <paramref name="codec"/>.</summary>
    private static byte[] Wrap(byte magic, CompressionType codec, byte[] inner)
    {
        var compressed = new System.Buffers.ArrayBufferWriter<byte>();
        if (codec is >= CompressionType.Gzip and <= CompressionType.Zstd)
        {
            CompressionCodecs.Get(codec).Compress(inner, compressed);
        }
        else
        {
            System.Buffers.BuffersExtensions.Write(compressed, inner);
        }
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        LegacyMessageSetBuilder.WriteMessage(output, 0, magic, (byte)codec, 0, default, false, compressed.WrittenSpan, true);
        return output.WrittenArray();
    }
}

internal static class BufferWriterExtensions
{
    public static byte[] WrittenArray(this System.Buffers.ArrayBufferWriter<byte> writer) => writer.WrittenSpan.ToArray();
}
