using System.Text;
using Samsa.Protocol.Records;
using Record = Samsa.Protocol.Records.Record;

namespace Samsa.Protocol.Tests.Records;

/// <summary>A record as plain data, to compare what different encoders and decoders see.</summary>
internal sealed record TestRecord(long Offset, long Timestamp, byte[]? Key, byte[]? Value, (string Key, byte[]? Value)[] Headers)
{
    public static TestRecord From(Record r)
    {
        var headers = new List<(string, byte[]?)>();
        foreach (RecordHeader h in r.Headers)
        {
            headers.Add((h.KeyString, h.HasValue ? h.Value.ToArray() : null));
        }
        return new TestRecord(r.Offset, r.Timestamp, r.HasKey ? r.Key.ToArray() : null, r.HasValue ? r.Value.ToArray() : null, headers.ToArray());
    }

    public Header[] BuilderHeaders => Headers.Select(h => new Header(h.Key, h.Value)).ToArray();

    public bool SameAs(TestRecord other) =>
        Offset == other.Offset && Timestamp == other.Timestamp && Same(Key, other.Key) && Same(Value, other.Value)
        && Headers.Length == other.Headers.Length
        && Headers.Zip(other.Headers).All(p => p.First.Key == p.Second.Key && Same(p.First.Value, p.Second.Value));

    private static bool Same(byte[]? a, byte[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    public override string ToString() =>
        $"@{Offset} t={Timestamp} k={Hex(Key)} v={(Value is null ? "null" : Value.Length + "B")} h=[{string.Join(",", Headers.Select(h => h.Key + "=" + Hex(h.Value)))}]";

    private static string Hex(byte[]? b) => b is null ? "null" : Convert.ToHexString(b.AsSpan(0, Math.Min(b.Length, 16)));
}

internal static class TestData
{
    /// <summary>Records with every shape: null/empty keys and values, headers with null values and non-ASCII keys, timestamps going back and forth.</summary>
    public static List<TestRecord> Records(int count, int seed)
    {
        var random = new Random(seed);
        var records = new List<TestRecord>(count);
        long timestamp = 1_700_000_000_000 + random.Next(1_000_000);
        for (int i = 0; i < count; i++)
        {
            timestamp += random.Next(-500, 2000);
            byte[]? key = (i % 7) switch
            {
                0 => null,
                1 => [],
                _ => Encoding.UTF8.GetBytes($"user-{random.Next(1000)}"),
            };
            byte[]? value = (i % 11) switch
            {
                3 => null,
                4 => [],
                _ => Json(random, i),
            };
            var headers = (i % 5) switch
            {
                0 => [],
                1 => new[] { ("trace-id", (byte[]?)Encoding.UTF8.GetBytes(random.Next().ToString("x"))) },
                2 => [("null-value", (byte[]?)null), ("clé-ünïcode", [1, 2, 3])],
                3 => [("a", (byte[]?)[]), ("b", [0xff]), ("a", [0x00])],
                _ => [],
            };
            records.Add(new TestRecord(i, timestamp, key, value, headers));
        }
        return records;
    }

    /// <summary>JSON-like text: realistic, somewhat compressible.</summary>
    public static byte[] Json(Random random, int i) => Encoding.UTF8.GetBytes(
        $"{{\"id\":{i},\"user\":\"user-{random.Next(1000)}\",\"event\":\"{Events[random.Next(Events.Length)]}\"," +
        $"\"amount\":{random.Next(100000) / 100.0},\"tags\":[\"{Events[random.Next(Events.Length)]}\",\"x{random.Next(50)}\"]," +
        $"\"note\":\"{new string('a', random.Next(0, 40))}{random.Next()}\"}}");

    private static readonly string[] Events = ["page_view", "click", "purchase", "signup", "logout", "search", "add_to_cart"];

    /// <summary>About <paramref name="size"/> bytes of JSON lines, for codec tests and benchmarks.</summary>
    public static byte[] JsonText(int size, int seed)
    {
        var random = new Random(seed);
        var text = new MemoryStream(size + 512);
        int i = 0;
        while (text.Length < size)
        {
            text.Write(Json(random, i++));
            text.WriteByte((byte)'\n');
        }
        return text.ToArray().AsSpan(0, size).ToArray();
    }

    public static byte[] BuildWithSamsa(IEnumerable<TestRecord> records, Protocol.Compression.CompressionType compression, Action<RecordBatchBuilder>? configure = null)
    {
        using var builder = new RecordBatchBuilder { Compression = compression };
        configure?.Invoke(builder);
        foreach (TestRecord r in records)
        {
            builder.AppendWithOffset(r.Offset, r.Timestamp, r.Key, r.Value, r.BuilderHeaders);
        }
        return builder.Build().ToArray();
    }

    public static List<TestRecord> ReadWithSamsa(ReadOnlySpan<byte> bytes)
    {
        var batch = new RecordBatch(bytes);
        batch.Validate();
        var list = new List<TestRecord>();
        foreach (Record r in batch)
        {
            list.Add(TestRecord.From(r));
        }
        return list;
    }
}
