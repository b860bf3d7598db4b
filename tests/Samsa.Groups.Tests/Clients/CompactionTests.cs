using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;
using static Samsa.Groups.Tests.Clients.ClientFixture;

namespace Samsa.Groups.Tests.Clients;

/// <summary>
/// Log compaction of a <c>cleanup.policy=compact</c> topic on a real broker: Confluent.Kafka
/// produces, the broker's cleaner compacts in the background, a consumer reads from the start.
/// </summary>
public class CompactionTests
{
    private const int Keys = 1000;
    private const int Updates = 100_000;
    private const int Deleted = 100;

    private static async Task<long> PartitionSizeAsync(KafkaWireClient client, string topic)
    {
        var response = await client.RoundTripAsync<DescribeLogDirsRequest, DescribeLogDirsResponse>(new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = topic, Partitions = [0] }],
        }, 4);
        return response.Results.SelectMany(r => r.Topics).Where(t => t.Name == topic).SelectMany(t => t.Partitions).Single().PartitionSize;
    }

    /// <summary>Every record of partition 0, read from the beginning to the end with a group-less consumer.</summary>
    private static List<(string Key, string? Value)> ReadFromStart(SamsaProcess broker, string topic)
    {
        using var consumer = new ConsumerBuilder<string, string?>(new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "reader",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<(string, string?)>();
        while (true)
        {
            var r = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"no end of {topic} within 30 s");
            if (r.IsPartitionEOF) return records;
            records.Add((r.Message.Key, r.Message.Value));
        }
    }

    [Fact]
    public async Task CompactedTopicKeepsTheLatestValuePerKeyAndDropsTombstonesAfterDeleteRetention()
    {
        await using var broker = await SamsaProcess.StartAsync(new SamsaProcessOptions { Overrides = { ["log.cleaner.backoff.ms"] = "100" } });
        // Small segments so they roll (the cleaner never touches the active one); the same data in a
        // topic whose tombstones expire after 1 s and in one that keeps them for a day (the default).
        var topics = new Dictionary<string, string> { ["short"] = "1000", ["day"] = "86400000" };
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync(topics.Select(t => new TopicSpecification
            {
                Name = t.Key,
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new()
                {
                    ["cleanup.policy"] = "compact",
                    ["segment.bytes"] = "16384",
                    ["min.cleanable.dirty.ratio"] = "0.01",
                    ["delete.retention.ms"] = t.Value,
                },
            }));
        }

        // 100,000 updates over 1,000 keys, then tombstones for the first 100 keys, then one more value
        // for every other key (so the segment holding the tombstones rolls too).
        var latest = new Dictionary<string, string?>();
        var deleted = Enumerable.Range(0, Deleted).Select(k => "key-" + k).ToHashSet();
        int failed = 0;
        using (var producer = new ProducerBuilder<string, string?>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            LingerMs = 5,
            BatchSize = 8192,
            QueueBufferingMaxMessages = 500_000,
        }).Build())
        {
            void Send(string key, string? value)
            {
                latest[key] = value;
                foreach (string topic in topics.Keys)
                {
                    producer.Produce(topic, new Message<string, string?> { Key = key, Value = value }, d =>
                    {
                        if (d.Error.IsError) Interlocked.Increment(ref failed);
                    });
                }
            }
            for (int i = 0; i < Updates; i++) Send("key-" + (i % Keys), "value-" + i);
            foreach (string key in deleted) Send(key, null);
            for (int k = Deleted; k < Keys; k++) Send("key-" + k, "final-" + k);
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }
        Assert.Equal(0, failed);

        // The cleaner shrinks both logs to about one record per key (~30 bytes each) plus the active
        // segment: far below the ~3 MB written.
        await using (var client = await KafkaWireClient.ConnectAsync(broker))
        {
            foreach (string topic in topics.Keys)
            {
                long size = 0;
                await WaitUntilAsync(() => (size = PartitionSizeAsync(client, topic).GetAwaiter().GetResult()) < 100_000,
                    $"{topic} was compacted below 100,000 bytes", TimeSpan.FromSeconds(120));
                Assert.True(size > 900 * 20, $"{topic} holds only {size} bytes"); // the live keys are still there
            }
        }

        // Reading from the start: the latest value of every live key; the deleted keys' old values are gone.
        // "short": the tombstones vanish too once delete.retention.ms has passed since the cleaner first kept them.
        List<(string Key, string? Value)> read = [];
        await WaitUntilAsync(() => !(read = ReadFromStart(broker, "short")).Any(r => deleted.Contains(r.Key)),
            "the tombstones of short vanished", TimeSpan.FromSeconds(60));
        AssertLatestValues(read, latest, deleted);

        // "day": the tombstones stay (delete.retention.ms is a day), one per deleted key, with nothing before them.
        read = ReadFromStart(broker, "day");
        AssertLatestValues(read, latest, deleted);
        var dayDeleted = read.Where(r => deleted.Contains(r.Key)).ToList();
        Assert.Equal(Deleted, dayDeleted.Count);
        Assert.All(dayDeleted, r => Assert.Null(r.Value));
    }

    private static void AssertLatestValues(List<(string Key, string? Value)> read, Dictionary<string, string?> latest, HashSet<string> deleted)
    {
        // About one record per key: at most the live keys, the tombstones and an active segment's worth (16 KB).
        Assert.InRange(read.Count, Keys - Deleted, Keys + 1000);
        var last = new Dictionary<string, string?>();
        foreach (var (key, value) in read) last[key] = value;
        foreach (var (key, value) in latest)
        {
            if (deleted.Contains(key)) continue;
            Assert.True(last.TryGetValue(key, out var seen), $"{key} is missing");
            Assert.Equal(value, seen);
        }
    }
}
