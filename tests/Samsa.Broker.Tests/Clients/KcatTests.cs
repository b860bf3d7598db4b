using Samsa.Protocol.Partitioning;

namespace Samsa.Broker.Tests.Clients;

/// <summary>kcat (librdkafka) against a real broker process.</summary>
public sealed class KcatTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public KcatTests(BrokerFixture broker) => _broker = broker;

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Ten_thousand_keyed_records_round_trip_byte_exact(string codec)
    {
        const int count = 10_000;
        string topic = BrokerFixture.NewTopic("kcat-" + codec);
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var lines = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            lines.Add($"key-{i}:value-{i}-{codec}-{new string((char)('a' + (i % 26)), i % 100)}");
        }

        await Kcat.ProduceAsync(_broker.BootstrapServers, topic, lines, ["-z", codec, "-H", $"codec={codec}", "-H", "trace=kcat"]);
        List<KcatRecord> records = await Kcat.ConsumeAllAsync(_broker.BootstrapServers, topic);
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.Equal(count, records.Count);
        var byKey = records.ToDictionary(r => r.Key!);
        for (int i = 0; i < count; i++)
        {
            KcatRecord r = byKey[$"key-{i}"];
            Assert.Equal(lines[i][(lines[i].IndexOf(':', StringComparison.Ordinal) + 1)..], r.Payload);
            Assert.Equal(["codec", codec, "trace", "kcat"], r.Headers);
            Assert.Equal("create", r.Tstype);
            Assert.InRange(r.Ts, before - 1000, after + 1000);
        }
        // Offsets are dense per partition and each partition keeps the produce order.
        foreach (IGrouping<int, KcatRecord> partition in records.GroupBy(r => r.Partition))
        {
            KcatRecord[] ordered = [.. partition.OrderBy(r => r.Offset)];
            Assert.Equal(Enumerable.Range(0, ordered.Length).Select(i => (long)i), ordered.Select(r => r.Offset));
            int[] producedIndex = [.. ordered.Select(r => int.Parse(r.Key!.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture))];
            Assert.Equal(producedIndex.Order(), producedIndex);
        }
    }

    [Fact]
    public async Task Murmur2_random_partitioner_places_keys_where_the_Java_client_would()
    {
        string topic = BrokerFixture.NewTopic("kcat-murmur2");
        string[] keys = [.. Enumerable.Range(0, 300).Select(i => $"user-{i * 7919}")];

        await Kcat.ProduceAsync(_broker.BootstrapServers, topic, keys.Select(k => $"{k}:v"), ["-X", "partitioner=murmur2_random"]);
        List<KcatRecord> records = await Kcat.ConsumeAllAsync(_broker.BootstrapServers, topic);

        Assert.Equal(keys.Length, records.Count);
        foreach (KcatRecord r in records)
        {
            Assert.Equal(Murmur2.Partition(System.Text.Encoding.UTF8.GetBytes(r.Key!), BrokerFixture.Partitions), r.Partition);
        }
        Assert.True(records.Select(r => r.Partition).Distinct().Count() > 1);
    }
}
