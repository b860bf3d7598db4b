using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

/// <summary>Helpers for magic 0/1 message sets: build with Samsa, read with Samsa, describe for kafka-python.</summary>
internal static class LegacyRecords
{
    /// <summary>Records without headers (message sets have none), with null/empty keys and values.</summary>
    public static List<TestRecord> Records(int count, int seed, long firstOffset = 0) =>
        TestData.Records(count, seed).Select(r => r with { Offset = r.Offset + firstOffset, Headers = [] }).ToList();

    public static byte[] Build(IEnumerable<TestRecord> records, byte magic, CompressionType codec, TimestampType timestampType = TimestampType.CreateTime)
    {
        using var builder = new LegacyMessageSetBuilder(magic, codec, timestampType);
        foreach (TestRecord r in records)
        {
            builder.Append(r.Offset, r.Timestamp, r.Key, r.Value);
        }
        return builder.Build().ToArray();
    }

    public static List<TestRecord> Read(ReadOnlySpan<byte> messageSet, int maxDecompressedSize = RecordBatch.DefaultMaxDecompressedSize)
    {
        var list = new List<TestRecord>();
        foreach (LegacyMessage m in new LegacyMessageEnumerator(messageSet, maxDecompressedSize))
        {
            list.Add(new TestRecord(m.Offset, m.Timestamp, m.HasKey ? m.Key.ToArray() : null, m.HasValue ? m.Value.ToArray() : null, []));
        }
        return list;
    }

    public static object ToJson(TestRecord r) => new
    {
        offset = r.Offset,
        timestamp = r.Timestamp,
        key = r.Key is null ? null : Convert.ToHexString(r.Key),
        value = r.Value is null ? null : Convert.ToHexString(r.Value),
    };

    public static TestRecord FromJson(System.Text.Json.JsonElement e) => new(
        e.GetProperty("offset").GetInt64(),
        e.GetProperty("timestamp").GetInt64(),
        e.GetProperty("key").ValueKind == System.Text.Json.JsonValueKind.Null ? null : Convert.FromHexString(e.GetProperty("key").GetString()!),
        e.GetProperty("value").ValueKind == System.Text.Json.JsonValueKind.Null ? null : Convert.FromHexString(e.GetProperty("value").GetString()!),
        []);

    public static void AssertSame(IReadOnlyList<TestRecord> expected, IReadOnlyList<TestRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].SameAs(actual[i]), $"record {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
