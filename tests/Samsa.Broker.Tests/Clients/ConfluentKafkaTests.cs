using System.Text;
using Confluent.Kafka;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Confluent.Kafka (librdkafka) producers and an assigned consumer against a real broker process.</summary>
public sealed class ConfluentKafkaTests : IClassFixture<BrokerFixture>
{
    private readonly BrokerFixture _broker;

    public ConfluentKafkaTests(BrokerFixture broker) => _broker = broker;

    [Fact]
    public async Task Idempotent_producer_with_acks_all_then_an_assigned_consumer_reads_everything()
    {
        const int count = 2_000;
        string topic = BrokerFixture.NewTopic("cf-idem");
        var config = new ProducerConfig
        {
            BootstrapServers = _broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
        };
        var acked = new List<DeliveryResult<string, string>>();
        using (IProducer<string, string> producer = new ProducerBuilder<string, string>(config).Build())
        {
            var pending = new List<Task<DeliveryResult<string, string>>>();
            for (int i = 0; i < count; i++)
            {
                var headers = new Headers { { "seq", Encoding.UTF8.GetBytes($"{i}") } };
                pending.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}", Headers = headers }));
            }
            acked.AddRange(await Task.WhenAll(pending));
        }

        List<ConsumeResult<string, string>> consumed = ConsumeAll(_broker.BootstrapServers, topic, count);

        Assert.All(acked, a => Assert.Equal(PersistenceStatus.Persisted, a.Status));
        Assert.Equal(count, acked.Select(a => (a.Partition.Value, a.Offset.Value)).Distinct().Count());
        Assert.Equal(count, consumed.Count);
        var byKey = consumed.ToDictionary(c => c.Message.Key);
        foreach (DeliveryResult<string, string> a in acked)
        {
            ConsumeResult<string, string> c = byKey[a.Message.Key];
            Assert.Equal(a.Message.Value, c.Message.Value);
            Assert.Equal((a.Partition, a.Offset), (c.Partition, c.Offset));
            Assert.Equal(a.Message.Key[1..], Encoding.UTF8.GetString(c.Message.Headers.GetLastBytes("seq")));
            Assert.Equal(a.Timestamp.UnixTimestampMs, c.Message.Timestamp.UnixTimestampMs);
        }
    }

    [Theory]
    [InlineData(Acks.None)]
    [InlineData(Acks.Leader)]
    [InlineData(Acks.All)]
    public async Task Each_acks_setting_delivers(Acks acks)
    {
        const int count = 300;
        string topic = BrokerFixture.NewTopic("cf-acks");
        var config = new ProducerConfig { BootstrapServers = _broker.BootstrapServers, Acks = acks, EnableIdempotence = false };
        using (IProducer<string, string> producer = new ProducerBuilder<string, string>(config).Build())
        {
            var pending = new List<Task<DeliveryResult<string, string>>>();
            for (int i = 0; i < count; i++)
            {
                pending.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }));
            }
            DeliveryResult<string, string>[] results = await Task.WhenAll(pending);
            Assert.All(results, r => Assert.Equal(acks == Acks.None ? PersistenceStatus.PossiblyPersisted : PersistenceStatus.Persisted, r.Status));
        }

        List<ConsumeResult<string, string>> consumed = ConsumeAll(_broker.BootstrapServers, topic, count);

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"k{i}").Order(), consumed.Select(c => c.Message.Key).Order());
    }

    /// <summary>
    /// Assigns every partition from the beginning (no group) and reads until at least
    /// <paramref name="count"/> records arrived and every partition reached its end.
    /// </summary>
    internal static List<ConsumeResult<string, string>> ConsumeAll(string bootstrap, string topic, int count, int partitions = BrokerFixture.Partitions)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "samsa-assign-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
        };
        using IConsumer<string, string> consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<string, string>>();
        var atEnd = new HashSet<int>();
        DateTime deadline = DateTime.UtcNow.AddMinutes(1);
        while ((results.Count < count || atEnd.Count < partitions) && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is not { } r)
            {
                continue;
            }
            if (r.IsPartitionEOF)
            {
                atEnd.Add(r.Partition.Value);
            }
            else
            {
                atEnd.Remove(r.Partition.Value);
                results.Add(r);
            }
        }
        consumer.Close();
        return results;
    }
}
