using System.Collections.Concurrent;
using CK = Confluent.Kafka;

namespace Samsa.Client.Tests.Integration;

/// <summary>
/// A consumer group with one Samsa.Client member and one Confluent.Kafka member, with the range
/// and the cooperative-sticky assignors: the partitions end up split between them, each partition
/// with exactly one member, and every produced record is consumed.
/// </summary>
public abstract class GroupInteropTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    [Theory]
    [InlineData("range")]
    [InlineData("cooperative-sticky")]
    public async Task Mixed_group_shares_partitions(string assignor)
    {
        const int partitions = 6;
        const int records = 600;
        var topic = await fixture.CreateTopicAsync($"mixed-{assignor}", partitions);
        var group = $"mixed-{assignor}-{Guid.NewGuid():N}";
        var consumed = new ConcurrentDictionary<string, int>();
        // Records read per member and partition, for the failure message.
        var samsaRead = new int[partitions];
        var confluentRead = new int[partitions];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        IReadOnlyCollection<TopicPartition> samsaAssignment = [];
        List<CK.TopicPartition> confluentAssignment = [];

        var samsaTask = Task.Run(() =>
        {
            var config = new ConsumerConfig
            {
                BootstrapServers = fixture.BootstrapServers,
                GroupId = group,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                PartitionAssignmentStrategy = [assignor],
                HeartbeatIntervalMs = 500,
                SessionTimeoutMs = 10000,
            };
            using var consumer = new Consumer<string, string>(config);
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                foreach (var r in consumer.Poll(TimeSpan.FromMilliseconds(200)))
                {
                    consumed.AddOrUpdate(r.Value, 1, (_, n) => n + 1);
                    Interlocked.Increment(ref samsaRead[r.Partition]);
                }
                Volatile.Write(ref samsaAssignment, consumer.Assignment);
            }
        });

        var confluentTask = Task.Run(() =>
        {
            using var consumer = new CK.ConsumerBuilder<string, string>(new CK.ConsumerConfig
            {
                BootstrapServers = fixture.BootstrapServers,
                GroupId = group,
                AutoOffsetReset = CK.AutoOffsetReset.Earliest,
                PartitionAssignmentStrategy = assignor == "range" ? CK.PartitionAssignmentStrategy.Range : CK.PartitionAssignmentStrategy.CooperativeSticky,
                HeartbeatIntervalMs = 500,
                SessionTimeoutMs = 10000,
            }).Build();
            consumer.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                var r = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (r is { IsPartitionEOF: false })
                {
                    consumed.AddOrUpdate(r.Message.Value, 1, (_, n) => n + 1);
                    Interlocked.Increment(ref confluentRead[r.Partition.Value]);
                }
                Volatile.Write(ref confluentAssignment, consumer.Assignment.ToList());
            }
            consumer.Close();
        });

        var delivered = 0;
        string? deliveryError = null;
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = fixture.BootstrapServers }))
        {
            for (var i = 0; i < records; i++)
            {
                producer.Produce(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = null!, Value = $"r{i}" }, r =>
                {
                    if (r.IsSuccess) Interlocked.Increment(ref delivered);
                    else deliveryError = r.Error?.Message;
                });
            }
            await producer.FlushAsync();
        }
        Assert.True(delivered == records, $"delivered {delivered}/{records}: {deliveryError}");

        // Wait until both members hold partitions, together all, none twice, and all records arrived.
        bool Settled()
        {
            var s = Volatile.Read(ref samsaAssignment).Select(tp => tp.Partition).ToList();
            var c = Volatile.Read(ref confluentAssignment).Select(tp => tp.Partition.Value).ToList();
            return s.Count > 0 && c.Count > 0 && s.Count + c.Count == partitions
                && s.Concat(c).Distinct().Count() == partitions && consumed.Count == records;
        }
        while (!Settled() && !stop.IsCancellationRequested) await Task.Delay(100);
        var settled = Settled();
        var finalSamsa = Volatile.Read(ref samsaAssignment).Select(tp => tp.Partition).Order().ToList();
        var finalConfluent = Volatile.Read(ref confluentAssignment).Select(tp => tp.Partition.Value).Order().ToList();
        await stop.CancelAsync();
        await Task.WhenAll(samsaTask, confluentTask);
        var highWatermarks = "";
        if (!settled)
        {
            // Tells a member that did not read apart from records the broker does not serve.
            await using var admin = new AdminClient(new AdminConfig { BootstrapServers = fixture.BootstrapServers });
            var latest = await admin.ListOffsetsAsync(Enumerable.Range(0, partitions).ToDictionary(p => new TopicPartition(topic, p), _ => OffsetSpec.Latest));
            highWatermarks = string.Join(",", Enumerable.Range(0, partitions).Select(p => latest[new TopicPartition(topic, p)].Offset));
        }

        Assert.True(settled, $"samsa [{string.Join(",", finalSamsa)}], confluent [{string.Join(",", finalConfluent)}], consumed {consumed.Count}/{records}; "
            + $"read per partition by samsa [{string.Join(",", samsaRead)}], by confluent [{string.Join(",", confluentRead)}]; high watermarks [{highWatermarks}]");
        Assert.Empty(finalSamsa.Intersect(finalConfluent));
        Assert.Equal(3, finalSamsa.Count);
        Assert.Equal(3, finalConfluent.Count);
    }
}
