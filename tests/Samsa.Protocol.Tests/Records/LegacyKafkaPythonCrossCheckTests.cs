using System.Text.Json;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

/// <summary>
/// Magic 0/1 message sets exchanged with kafka-python's own legacy record code
/// (LegacyRecordBatchBuilder, MemoryRecords/LegacyRecordBatch), with every codec those formats know.
/// </summary>
public class LegacyKafkaPythonCrossCheckTests
{
    public static TheoryData<byte, CompressionType> Formats()
    {
        var data = new TheoryData<byte, CompressionType>();
        foreach (byte magic in new byte[] { 0, 1 })
        {
            foreach (CompressionType codec in new[] { CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4 })
            {
                data.Add(magic, codec);
            }
        }
        return data;
    }

    private static JsonElement PythonParse(ReadOnlySpan<byte> set) =>
        JsonDocument.Parse(KafkaPython.Run(Convert.ToHexString(set), "legacy-parse")).RootElement;

    private static byte[] PythonBuild(byte magic, CompressionType codec, IEnumerable<TestRecord> records, bool wrappers = false) =>
        Convert.FromHexString(KafkaPython.Run(JsonSerializer.Serialize(new
        {
            magic = (int)magic,
            compression = (int)codec,
            wrappers,
            records = records.Select(LegacyRecords.ToJson).ToArray(),
        }), "legacy-build").Trim());

    private static List<TestRecord> PythonRecords(JsonElement parsed) =>
        parsed.GetProperty("records").EnumerateArray().Select(LegacyRecords.FromJson).ToList();

    [Theory]
    [MemberData(nameof(Formats))]
    public void SetWrittenByKafkaPythonReadsAsKafkaPythonReadsIt(byte magic, CompressionType codec)
    {
        List<TestRecord> records = LegacyRecords.Records(120, seed: magic * 10 + (int)codec);
        foreach (bool wrappers in new[] { false, true })
        {
            byte[] set = PythonBuild(magic, codec, records, wrappers);
            List<TestRecord> python = PythonRecords(PythonParse(set));
            List<TestRecord> samsa = LegacyRecords.Read(set);

            LegacyRecords.AssertSame(python, samsa);
            LegacyRecords.AssertSame(
                records.Select((r, i) => r with { Offset = samsa[i].Offset, Timestamp = magic == 0 ? -1 : r.Timestamp }).ToList(), samsa);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void SetWrittenBySamsaReadsTheSameInKafkaPython(byte magic, CompressionType codec)
    {
        // Offsets with gaps, as a compacted log has them, far from zero.
        List<TestRecord> records = LegacyRecords.Records(150, seed: 40 + magic * 10 + (int)codec, firstOffset: 10_000)
            .Where(r => r.Offset % 4 != 2).ToList();
        byte[] set = LegacyRecords.Build(records, magic, codec);

        JsonElement parsed = PythonParse(set);
        JsonElement[] batches = [.. parsed.GetProperty("batches").EnumerateArray()];
        Assert.All(batches, b =>
        {
            Assert.True(b.GetProperty("crc_valid").GetBoolean());
            Assert.Equal(magic, b.GetProperty("magic").GetInt32());
            Assert.Equal((int)codec, b.GetProperty("compression").GetInt32());
        });
        Assert.Equal(codec == CompressionType.None ? records.Count : 1, batches.Length);
        List<TestRecord> expected = magic == 0 ? records.Select(r => r with { Timestamp = -1 }).ToList() : records;
        LegacyRecords.AssertSame(expected, PythonRecords(parsed));
        LegacyRecords.AssertSame(expected, LegacyRecords.Read(set));
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    public void LogAppendTimeSetsReadAsLogAppendTimeInKafkaPython(CompressionType codec)
    {
        List<TestRecord> records = LegacyRecords.Records(20, seed: 3).Select(r => r with { Timestamp = 1_750_000_000_000 }).ToList();
        JsonElement parsed = PythonParse(LegacyRecords.Build(records, 1, codec, TimestampType.LogAppendTime));
        Assert.All(parsed.GetProperty("records").EnumerateArray(), r =>
        {
            Assert.Equal(1, r.GetProperty("timestamp_type").GetInt32());
            Assert.Equal(1_750_000_000_000, r.GetProperty("timestamp").GetInt64());
        });
    }

    public static TheoryData<byte, CompressionType> DownConversions()
    {
        var data = new TheoryData<byte, CompressionType>();
        foreach (byte magic in new byte[] { 0, 1 })
        {
            foreach (CompressionType codec in Enum.GetValues<CompressionType>())
            {
                data.Add(magic, codec);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DownConversions))]
    public void DownConvertedBatchesReadInKafkaPythonWithOffsetsKeysValuesAndTimestamps(byte magic, CompressionType codec)
    {
        List<TestRecord> first = TestData.Records(60, seed: 7).Select(r => r with { Offset = r.Offset + 500 }).ToList();
        List<TestRecord> second = TestData.Records(40, seed: 8).Select(r => r with { Offset = r.Offset + 560 }).ToList();
        byte[] log = [.. TestData.BuildWithSamsa(first, codec, b => b.BaseOffset = 500), .. TestData.BuildWithSamsa(second, codec, b => b.BaseOffset = 560)];

        var output = new System.Buffers.ArrayBufferWriter<byte>();
        int written = LegacyMessageSet.DownConvert(log, magic, fetchOffset: 503, maxBytes: int.MaxValue, output);

        Assert.Equal(output.WrittenCount, written);
        JsonElement parsed = PythonParse(output.WrittenSpan);
        CompressionType expectedCodec = codec == CompressionType.Zstd ? CompressionType.None : codec;
        Assert.All(parsed.GetProperty("batches").EnumerateArray(), b =>
        {
            Assert.True(b.GetProperty("crc_valid").GetBoolean());
            Assert.Equal(magic, b.GetProperty("magic").GetInt32());
            Assert.Equal((int)expectedCodec, b.GetProperty("compression").GetInt32());
        });
        List<TestRecord> expected = [.. first.Concat(second).Where(r => r.Offset >= 503)
            .Select(r => r with { Timestamp = magic == 0 ? -1 : r.Timestamp, Headers = [] })];
        LegacyRecords.AssertSame(expected, PythonRecords(parsed));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void SetWrittenByKafkaPythonUpConvertsToOneBatchWithTheSameRecords(byte magic, CompressionType codec)
    {
        List<TestRecord> records = LegacyRecords.Records(80, seed: 90 + magic * 10 + (int)codec);
        byte[] set = PythonBuild(magic, codec, records);

        using var builder = new RecordBatchBuilder();
        LegacyConversion conversion = LegacyMessageSet.AppendTo(set, builder);
        byte[] batch = builder.Build().ToArray();

        Assert.Equal((records.Count, magic, codec), (conversion.RecordCount, conversion.Magic, conversion.SourceCompression));
        Assert.Equal(codec, new RecordBatch(batch).CompressionType);
        List<TestRecord> expected = records.Select((r, i) => r with { Offset = i, Timestamp = magic == 0 ? -1 : r.Timestamp }).ToList();
        LegacyRecords.AssertSame(expected, TestData.ReadWithSamsa(batch));
    }
}
