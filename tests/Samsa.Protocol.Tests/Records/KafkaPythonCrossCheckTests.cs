using System.Text.Json;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

/// <summary>Record batches exchanged with kafka-python's DefaultRecordBatchBuilder / DefaultRecordBatch, with every codec.</summary>
public class KafkaPythonCrossCheckTests
{
    public static TheoryData<CompressionType> Codecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Theory]
    [MemberData(nameof(Codecs))]
    public void BatchWrittenByKafkaPythonDecodesToTheSameRecords(CompressionType codec)
    {
        List<TestRecord> records = TestData.Records(300, seed: (int)codec + 1);
        byte[] bytes = KafkaPython.Build(new
        {
            compression = (int)codec,
            transactional = false,
            producer_id = 4242L,
            producer_epoch = 7,
            base_sequence = 100,
            records = records.Select(ToJson).ToArray(),
        });

        var batch = new RecordBatch(bytes);
        batch.Validate();
        Assert.Equal(codec, batch.CompressionType); // JSON values compress, so kafka-python keeps the codec
        Assert.Equal(records.Count, batch.RecordCount);
        Assert.Equal(4242L, batch.ProducerId);
        Assert.Equal((short)7, batch.ProducerEpoch);
        Assert.Equal(100, batch.BaseSequence);
        Assert.Equal(records.Max(r => r.Timestamp), batch.MaxTimestamp);
        Assert.Equal(records[0].Timestamp, batch.BaseTimestamp);
        AssertSame(records, TestData.ReadWithSamsa(bytes));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void BatchWrittenBySamsaDecodesInKafkaPythonToTheSameRecords(CompressionType codec)
    {
        List<TestRecord> records = TestData.Records(300, seed: 100 + (int)codec).Select(r => r with { Offset = r.Offset + 1000 }).ToList();
        byte[] bytes = TestData.BuildWithSamsa(records, codec, b =>
        {
            b.ProducerId = 9001;
            b.ProducerEpoch = 3;
            b.BaseSequence = 55;
            b.IsTransactional = true;
            b.BaseOffset = 1000;
        });

        JsonElement parsed = KafkaPython.Parse(bytes);
        Assert.True(parsed.GetProperty("crc_valid").GetBoolean());
        Assert.Equal((int)codec, parsed.GetProperty("compression").GetInt32());
        Assert.Equal(1000, parsed.GetProperty("base_offset").GetInt64());
        Assert.Equal(9001, parsed.GetProperty("producer_id").GetInt64());
        Assert.Equal(3, parsed.GetProperty("producer_epoch").GetInt32());
        Assert.Equal(55, parsed.GetProperty("base_sequence").GetInt32());
        Assert.True(parsed.GetProperty("is_transactional").GetBoolean());
        Assert.False(parsed.GetProperty("is_control").GetBoolean());
        Assert.Equal(records.Count - 1, parsed.GetProperty("last_offset_delta").GetInt32());
        Assert.Equal(records.Max(r => r.Timestamp), parsed.GetProperty("max_timestamp").GetInt64());
        AssertSame(records, parsed.GetProperty("records").EnumerateArray().Select(FromJson).ToList());
    }

    [Fact]
    public void CompactedBatchWithOffsetGapsAgreesBothWays()
    {
        List<TestRecord> records = TestData.Records(40, seed: 9).Where(r => r.Offset % 3 != 1).ToList();
        byte[] fromPython = KafkaPython.Build(new { compression = 0, records = records.Select(ToJson).ToArray() });
        AssertSame(records, TestData.ReadWithSamsa(fromPython));

        byte[] fromSamsa = TestData.BuildWithSamsa(records, CompressionType.Zstd);
        AssertSame(records, KafkaPython.Parse(fromSamsa).GetProperty("records").EnumerateArray().Select(FromJson).ToList());
    }

    [Fact]
    public void UncompressedBatchesAreByteIdenticalToKafkaPythons()
    {
        // Same fields in, same bytes out: kafka-python writes leader epoch 0, so set that here too.
        List<TestRecord> records = TestData.Records(50, seed: 5);
        byte[] python = KafkaPython.Build(new { compression = 0, producer_id = 12L, producer_epoch = 1, base_sequence = 0, records = records.Select(ToJson).ToArray() });
        byte[] samsa = TestData.BuildWithSamsa(records, CompressionType.None, b =>
        {
            b.PartitionLeaderEpoch = 0;
            b.ProducerId = 12;
            b.ProducerEpoch = 1;
            b.BaseSequence = 0;
        });
        Assert.Equal(Convert.ToHexString(python), Convert.ToHexString(samsa));
    }

    public static TheoryData<string, CompressionType> CompressedForms => new()
    {
        { "gzip", CompressionType.Gzip },
        { "snappy-xerial", CompressionType.Snappy },
        { "snappy-raw", CompressionType.Snappy },
        { "lz4", CompressionType.Lz4 },
        { "lz4-linked", CompressionType.Lz4 },
        { "zstd", CompressionType.Zstd },
        { "zstd-nosize", CompressionType.Zstd },
    };

    [Theory]
    [MemberData(nameof(CompressedForms))]
    public void CodecsDecodeWhatPythonCodecsWrite(string variant, CompressionType codec)
    {
        byte[] data = TestData.JsonText(300_000, seed: variant.Length);
        byte[] compressed = KafkaPython.Compress(variant, data);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        CompressionCodecs.Get(codec).Decompress(compressed, output, data.Length);
        Assert.True(output.WrittenSpan.SequenceEqual(data));
    }

    [Theory]
    [InlineData(CompressionType.Gzip, "gzip")]
    [InlineData(CompressionType.Snappy, "snappy")]
    [InlineData(CompressionType.Lz4, "lz4")]
    [InlineData(CompressionType.Zstd, "zstd")]
    public void PythonCodecsDecodeWhatSamsaWrites(CompressionType codec, string name)
    {
        byte[] data = TestData.JsonText(200_000, seed: 77);
        var compressed = new System.Buffers.ArrayBufferWriter<byte>();
        CompressionCodecs.Get(codec).Compress(data, compressed);
        Assert.True(KafkaPython.Decompress(name, compressed.WrittenSpan).AsSpan().SequenceEqual(data));
    }

    [Fact]
    public void SnappyIsWrittenInXerialFramingLikeJavaClients()
    {
        var compressed = new System.Buffers.ArrayBufferWriter<byte>();
        CompressionCodecs.Snappy.Compress(TestData.JsonText(100_000, 1), compressed);
        // 0x82 "SNAPPY" 0, version 1, compatible version 1
        Assert.Equal("82534E41505059000000000100000001", Convert.ToHexString(compressed.WrittenSpan[..16]));
    }

    private static object ToJson(TestRecord r) => new
    {
        offset = r.Offset,
        timestamp = r.Timestamp,
        key = r.Key is null ? null : Convert.ToHexString(r.Key),
        value = r.Value is null ? null : Convert.ToHexString(r.Value),
        headers = r.Headers.Select(h => new object?[] { h.Key, h.Value is null ? null : Convert.ToHexString(h.Value) }).ToArray(),
    };

    private static TestRecord FromJson(JsonElement e) => new(
        e.GetProperty("offset").GetInt64(),
        e.GetProperty("timestamp").GetInt64(),
        Bytes(e.GetProperty("key")),
        Bytes(e.GetProperty("value")),
        e.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString()!, Bytes(h[1]))).ToArray());

    private static byte[]? Bytes(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : Convert.FromHexString(e.GetString()!);

    internal static void AssertSame(List<TestRecord> expected, List<TestRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].SameAs(actual[i]), $"record {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
