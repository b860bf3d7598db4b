using System.Buffers.Binary;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;
using Record = Samsa.Protocol.Records.Record;

namespace Samsa.Protocol.Tests.Records;

/// <summary>Bad bytes give a clear exception type (CorruptRecordException or a subclass), never OOM, a hang or another exception.</summary>
public class MalformedBatchTests
{
    private static byte[] Valid(CompressionType codec = CompressionType.None, int count = 20) =>
        TestData.BuildWithSamsa(TestData.Records(count, 11), codec);

    /// <summary>Reads everything a consumer would read; only CorruptRecordException may escape.</summary>
    private static void ReadFully(ReadOnlySpan<byte> bytes, int maxDecompressedSize = RecordBatch.DefaultMaxDecompressedSize)
    {
        var batch = new RecordBatch(bytes);
        batch.Validate();
        foreach (Record r in batch.GetRecords(maxDecompressedSize))
        {
            _ = r.Key.Length + r.Value.Length + r.Offset;
            foreach (RecordHeader h in r.Headers)
            {
                _ = h.Key.Length + h.Value.Length;
            }
        }
    }

    [Fact]
    public void BadCrcIsCorrupt()
    {
        byte[] bytes = Valid();
        bytes[^3] ^= 0x40;
        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(bytes).Validate());
        Assert.Contains("CRC", e.Message);
        Assert.False(new RecordBatch(bytes).IsCrcValid);
    }

    [Fact]
    public void TruncatedBatchIsCorruptButIncompleteForTryRead()
    {
        byte[] bytes = Valid();
        for (int length = 0; length < bytes.Length; length += 7)
        {
            byte[] cut = bytes[..length];
            Assert.ThrowsAny<CorruptRecordException>(() => new RecordBatch(cut));
            Assert.False(RecordBatch.TryRead(cut, out _));
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(48)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void ImpossibleBatchLengthsAreCorruptWithoutAllocating(int length)
    {
        byte[] bytes = Valid();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchLayout.BatchLengthOffset), length);
        Assert.ThrowsAny<CorruptRecordException>(() => new RecordBatch(bytes));
    }

    [Fact]
    public void RecordCountThatLiesIsCorrupt()
    {
        foreach (int count in new[] { 21, 19, 0, 1, -1, int.MaxValue, 1_000_000 })
        {
            foreach (CompressionType codec in new[] { CompressionType.None, CompressionType.Zstd })
            {
                byte[] bytes = Valid(codec);
                BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchLayout.RecordCountOffset), count);
                RecordBatch.WriteCrc(bytes);
                Assert.ThrowsAny<CorruptRecordException>(() => ReadFully(bytes));
            }
        }
    }

    [Fact]
    public void LastOffsetDeltaBelowTheRecordCountIsCorrupt()
    {
        byte[] bytes = Valid();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchLayout.LastOffsetDeltaOffset), 5);
        RecordBatch.WriteCrc(bytes);
        Assert.Throws<CorruptRecordException>(() => new RecordBatch(bytes).Validate());
    }

    [Fact]
    public void BadVarintsInsideRecordsAreCorrupt()
    {
        byte[] bytes = Valid(count: 3);
        // An over-long varint as the first record's length.
        bytes.AsSpan(RecordBatchLayout.RecordsOffset, 6).Fill(0xFF);
        RecordBatch.WriteCrc(bytes);
        var e = Assert.Throws<CorruptRecordException>(() => ReadFully(bytes));
        Assert.Contains("varint", e.Message);
    }

    [Fact]
    public void RecordFieldsThatDisagreeWithTheRecordLengthAreCorrupt()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, "key"u8, "value"u8);
        byte[] bytes = builder.Build().ToArray();
        int recordStart = RecordBatchLayout.RecordsOffset;
        // layout: length, attributes, timestamp delta, offset delta, key length (3 → zig-zag 6), key, value length...
        int keyLengthAt = recordStart + 4;
        Assert.Equal(6, bytes[keyLengthAt]);

        foreach (byte keyLength in new byte[] { 0x03 /* -2 */, 0x7E /* 63 */, 0x08 /* 4 */ })
        {
            byte[] bad = (byte[])bytes.Clone();
            bad[keyLengthAt] = keyLength;
            RecordBatch.WriteCrc(bad);
            Assert.Throws<CorruptRecordException>(() => ReadFully(bad));
        }
    }

    [Fact]
    public void HeaderWithANullKeyIsCorrupt()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, "k"u8, "v"u8, [new Header("h", [1])]);
        byte[] bytes = builder.Build().ToArray();
        int headerKeyLengthAt = bytes.Length - 4; // header key length, 'h', value length, 0x01
        Assert.Equal(2, bytes[headerKeyLengthAt]);
        bytes[headerKeyLengthAt] = 1; // -1
        RecordBatch.WriteCrc(bytes);
        var e = Assert.Throws<CorruptRecordException>(() => ReadFully(bytes));
        Assert.Contains("null key", e.Message);
    }

    [Fact]
    public void OffsetDeltasGoingBackwardsAreCorrupt()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, "a"u8, "a"u8);
        builder.Append(1, "b"u8, "b"u8);
        byte[] bytes = builder.Build().ToArray();
        // Second record: its offset delta (1 → zig-zag 2) becomes 0.
        int second = RecordBatchLayout.RecordsOffset + 1 + bytes[RecordBatchLayout.RecordsOffset] / 2;
        Assert.Equal(2, bytes[second + 3]);
        bytes[second + 3] = 0;
        RecordBatch.WriteCrc(bytes);
        Assert.Throws<CorruptRecordException>(() => ReadFully(bytes));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void UnknownCompressionIsRejected(int codec)
    {
        byte[] bytes = Valid();
        short attributes = BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(RecordBatchLayout.AttributesOffset));
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(RecordBatchLayout.AttributesOffset), (short)((attributes & ~7) | codec));
        RecordBatch.WriteCrc(bytes);
        var e = Assert.Throws<UnsupportedCompressionTypeException>(() => new RecordBatch(bytes).Validate());
        Assert.Equal(codec, e.CodecId);
        Assert.Throws<UnsupportedCompressionTypeException>(() => new RecordBatch(bytes).GetRecords().Dispose());
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void CompressedBatchBeyondTheDecompressionLimitIsRefused(CompressionType codec)
    {
        using var builder = new RecordBatchBuilder { Compression = codec };
        for (int i = 0; i < 64; i++)
        {
            builder.Append(i, null, new byte[64 * 1024]); // 4 MiB of zeros: a few KiB compressed
        }
        byte[] bytes = builder.Build().ToArray();
        Assert.True(bytes.Length < 512 * 1024);
        Assert.Throws<DecompressedSizeLimitExceededException>(() => ReadFully(bytes, maxDecompressedSize: 1024 * 1024));
        ReadFully(bytes, maxDecompressedSize: 8 * 1024 * 1024);
    }

    [Fact]
    public void MessageFormatV0AndV1AreRejectedWithAClearError()
    {
        // Legacy message sets: offset, size, crc, magic, attributes, [timestamp in v1], key, value.
        byte[] v0 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, (byte)'h', (byte)'i'];
        byte[] v1 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24, 0xCA, 0xFE, 0xBA, 0xBE, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, (byte)'h', (byte)'i'];
        foreach ((byte[] bytes, int magic) in new[] { (v0, 0), (v1, 1) })
        {
            var e = Assert.Throws<UnsupportedMessageFormatException>(() => new RecordBatch(bytes));
            Assert.Equal(magic, e.Magic);
            Assert.Contains($"message format v{magic}", e.Message);
            Assert.Contains("not supported", e.Message);
            Assert.Throws<UnsupportedMessageFormatException>(() => RecordBatch.Enumerate(bytes).MoveNext());
        }
    }

    [Fact]
    public void UnknownMagicIsCorrupt()
    {
        byte[] bytes = Valid();
        bytes[RecordBatchLayout.MagicOffset] = 3;
        var e = Assert.Throws<CorruptRecordException>(() => new RecordBatch(bytes));
        Assert.Contains("magic 3", e.Message);
    }

    public static TheoryData<CompressionType> Codecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    /// <summary>
    /// Random mutations of valid batches (bit flips, byte overwrites, truncation, garbage appended
    /// inside the length), half of them with the CRC fixed afterwards so decoding goes past the
    /// checksum into the codec and record parsers. Every outcome is success or CorruptRecordException.
    /// </summary>
    [Theory]
    [MemberData(nameof(Codecs))]
    public void RandomMutationsNeverEscapeAsAnythingButCorruptRecord(CompressionType codec)
    {
        byte[] original = Valid(codec, count: 40);
        var random = new Random(1000 + (int)codec);
        int corrupt = 0;
        for (int iteration = 0; iteration < 3000; iteration++)
        {
            byte[] bytes = (byte[])original.Clone();
            int mutations = random.Next(1, 5);
            for (int m = 0; m < mutations; m++)
            {
                switch (random.Next(5))
                {
                    case 0:
                        if (bytes.Length > 0)
                        {
                            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                        }
                        break;
                    case 1:
                        if (bytes.Length > RecordBatchLayout.RecordsOffset)
                        {
                            bytes[random.Next(RecordBatchLayout.RecordsOffset, bytes.Length)] = (byte)random.Next(256);
                        }
                        break;
                    case 2:
                        bytes = bytes[..random.Next(bytes.Length)];
                        break;
                    case 3:
                        // Keep the length field consistent with a shorter batch.
                        if (bytes.Length > RecordBatchLayout.HeaderSize)
                        {
                            bytes = bytes[..random.Next(RecordBatchLayout.HeaderSize, bytes.Length)];
                            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchLayout.BatchLengthOffset), bytes.Length - RecordBatchLayout.LogOverhead);
                        }
                        break;
                    default:
                        if (bytes.Length > RecordBatchLayout.HeaderSize)
                        {
                            int at = random.Next(RecordBatchLayout.HeaderSize, bytes.Length);
                            bytes[at] = (byte)(random.Next(2) == 0 ? 0xFF : 0x80);
                        }
                        break;
                }
            }
            if (random.Next(2) == 0 && bytes.Length >= RecordBatchLayout.HeaderSize)
            {
                RecordBatch.WriteCrc(bytes);
            }
            try
            {
                ReadFully(bytes, maxDecompressedSize: 4 * 1024 * 1024);
            }
            catch (CorruptRecordException)
            {
                corrupt++;
            }
        }
        Assert.True(corrupt > 1000, $"only {corrupt} of 3000 mutations were detected");
    }
}
