using CK = Confluent.Kafka;

namespace Samsa.Client.Tests.Integration;

/// <summary>
/// Samsa.Client and Confluent.Kafka (librdkafka) against a real Samsa broker: records written by
/// one are read byte for byte by the other (keys, values, null fields, headers, timestamps) with
/// every codec, and both clients put a key on the same partition.
/// </summary>
public abstract class InteropTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private sealed record Sample(byte[]? Key, byte[]? Value, List<(string Key, byte[]? Value)> Headers, long Timestamp);

    private static List<Sample> Samples(int count, int seed)
    {
        var random = new Random(seed);
        var list = new List<Sample>();
        var baseTime = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            byte[]? key = i % 7 == 3 ? null : RandomBytes(random, random.Next(0, 40));
            byte[]? value = i % 11 == 5 ? null : RandomBytes(random, random.Next(0, 2000));
            var headers = new List<(string, byte[]?)>();
            for (var h = 0; h < i % 4; h++) headers.Add(($"h{h}-é", h == 2 ? null : RandomBytes(random, random.Next(0, 20))));
            list.Add(new Sample(key, value, headers, baseTime + i * 7));
        }
        return list;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    public static TheoryData<string> Codecs => new() { "none", "gzip", "snappy", "lz4", "zstd" };

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Samsa_producer_to_Confluent_consumer_is_byte_exact(string codec)
    {
        var topic = await fixture.CreateTopicAsync("interop-s2c", 1);
        var samples = Samples(200, codec.GetHashCode(StringComparison.Ordinal));
        var config = new ProducerConfig { BootstrapServers = fixture.BootstrapServers, LingerMs = 20 };
        config.Set("compression.type", codec);
        await using (var producer = new Producer<byte[], byte[]>(config))
        {
            var message = new Message<byte[], byte[]>();
            foreach (var s in samples)
            {
                message.Key = s.Key!;
                message.Value = s.Value!;
                message.Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(s.Timestamp);
                var headers = new Headers();
                foreach (var (k, v) in s.Headers) headers.Add(k, v);
                message.Headers = headers;
                producer.Produce(new TopicPartition(topic, 0), message);
            }
            await producer.FlushAsync();
        }

        using var consumer = new CK.ConsumerBuilder<byte[], byte[]>(new CK.ConsumerConfig
        {
            BootstrapServers = fixture.BootstrapServers,
            GroupId = $"g-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new CK.TopicPartitionOffset(topic, 0, CK.Offset.Beginning));
        var received = new List<CK.ConsumeResult<byte[], byte[]>>();
        var until = DateTime.UtcNow + Deadline;
        while (received.Count < samples.Count && DateTime.UtcNow < until)
        {
            var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (r is not null && !r.IsPartitionEOF) received.Add(r);
        }
        consumer.Close();

        Assert.Equal(samples.Count, received.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            var r = received[i];
            Assert.Equal(i, r.Offset.Value);
            Assert.Equal(s.Key, r.Message.Key);
            Assert.Equal(s.Value, r.Message.Value);
            Assert.Equal(s.Timestamp, r.Message.Timestamp.UnixTimestampMs);
            Assert.Equal(CK.TimestampType.CreateTime, r.Message.Timestamp.Type);
            var headers = r.Message.Headers?.Select(h => (h.Key, h.GetValueBytes())).ToList() ?? [];
            Assert.Equal(s.Headers.Count, headers.Count);
            for (var h = 0; h < headers.Count; h++)
            {
                Assert.Equal(s.Headers[h].Key, headers[h].Key);
                Assert.Equal(s.Headers[h].Value, headers[h].Item2);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Confluent_producer_to_Samsa_consumer_is_byte_exact(string codec)
    {
        var topic = await fixture.CreateTopicAsync("interop-c2s", 1);
        var samples = Samples(200, 17 + codec.Length);
        using (var producer = new CK.ProducerBuilder<byte[], byte[]>(new CK.ProducerConfig
        {
            BootstrapServers = fixture.BootstrapServers,
            CompressionType = Enum.Parse<CK.CompressionType>(codec, ignoreCase: true),
            LingerMs = 20,
        }).Build())
        {
            foreach (var s in samples)
            {
                var headers = new CK.Headers();
                foreach (var (k, v) in s.Headers) headers.Add(k, v);
                producer.Produce(new CK.TopicPartition(topic, 0), new CK.Message<byte[], byte[]>
                {
                    Key = s.Key!,
                    Value = s.Value!,
                    Headers = headers,
                    Timestamp = new CK.Timestamp(s.Timestamp, CK.TimestampType.CreateTime),
                });
            }
            producer.Flush(Deadline);
        }

        await using var consumer = new Consumer<byte[], byte[]>(new ConsumerConfig { BootstrapServers = fixture.BootstrapServers });
        consumer.Assign([new TopicPartitionOffset(topic, 0, 0)]);
        var received = new List<ConsumeResult<byte[], byte[]>>();
        var until = DateTime.UtcNow + Deadline;
        while (received.Count < samples.Count && DateTime.UtcNow < until)
            received.AddRange(await consumer.PollAsync(TimeSpan.FromMilliseconds(500)));

        Assert.Equal(samples.Count, received.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            var r = received[i];
            Assert.Equal(i, r.Offset);
            Assert.Equal(s.Key, r.Key);
            Assert.Equal(s.Value, r.Value);
            Assert.Equal(s.Timestamp, r.Timestamp.ToUnixTimeMilliseconds());
            Assert.Equal(TimestampType.CreateTime, r.TimestampType);
            Assert.Equal(s.Headers.Count, r.Headers.Count);
            for (var h = 0; h < s.Headers.Count; h++)
            {
                Assert.Equal(s.Headers[h].Key, r.Headers[h].Key);
                Assert.Equal(s.Headers[h].Value, r.Headers[h].Value);
            }
        }
    }

    [Fact]
    public async Task The_same_key_goes_to_the_same_partition_from_both_clients()
    {
        var topic = await fixture.CreateTopicAsync("interop-keys", 12);
        var keys = Enumerable.Range(0, 300).Select(i => $"key-{i}-{i * 31 % 17}").ToList();

        var samsa = new Dictionary<string, int>();
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = fixture.BootstrapServers }))
        {
            foreach (var key in keys)
                samsa[key] = (await producer.ProduceAsync(topic, new Message<string, string> { Key = key, Value = "s" })).Partition;
        }

        var confluent = new Dictionary<string, int>();
        // librdkafka's murmur2_random partitioner is the Java client's mapping.
        using (var producer = new CK.ProducerBuilder<string, string>(new CK.ProducerConfig
        {
            BootstrapServers = fixture.BootstrapServers,
            Partitioner = CK.Partitioner.Murmur2Random,
        }).Build())
        {
            foreach (var key in keys)
                confluent[key] = (await producer.ProduceAsync(topic, new CK.Message<string, string> { Key = key, Value = "c" })).Partition.Value;
        }

        Assert.Equal(confluent, samsa);
        Assert.True(samsa.Values.Distinct().Count() > 6, "keys should spread over the partitions");
    }
}

/// <summary>Against the in-process fake broker (runs without the Samsa process).</summary>
public sealed class FakeBrokerInteropTests(FakeBrokerFixture fixture) : InteropTests<FakeBrokerFixture>(fixture);
