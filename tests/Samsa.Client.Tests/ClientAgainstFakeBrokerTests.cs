using Samsa.Client.Tests.Fakes;

namespace Samsa.Client.Tests;

/// <summary>
/// The client's producer, consumer and group state machines against an in-process fake broker
/// (<see cref="FakeKafkaBroker"/>): these run without a Samsa process; the interop tests run the
/// same paths against the real broker.
/// </summary>
public sealed class ClientAgainstFakeBrokerTests
{
    [Fact]
    public async Task Produce_then_consume_round_trips_with_offsets()
    {
        await using var broker = new FakeKafkaBroker(defaultPartitions: 3);
        broker.CreateTopic("t", 3);
        var metadata = new List<RecordMetadata>();
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, CompressionType = CompressionType.Lz4 }))
        {
            for (var i = 0; i < 300; i++)
                metadata.Add(await producer.ProduceAsync("t", new Message<string, string> { Key = $"k{i % 10}", Value = $"v{i}" }));
        }
        Assert.Equal(300, metadata.Select(m => (m.Partition, m.Offset)).Distinct().Count());

        await using var consumer = new Consumer<string, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers });
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset("t", p, 0)));
        var read = new List<ConsumeResult<string, string>>();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (read.Count < 300 && DateTime.UtcNow < until) read.AddRange(await consumer.PollAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(300, read.Count);
        foreach (var r in read)
        {
            var m = metadata[int.Parse(r.Value![1..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal((m.Partition, m.Offset), (r.Partition, r.Offset));
        }
    }

    [Fact]
    public async Task Produce_answers_in_another_order_than_the_request_still_go_to_their_own_partitions()
    {
        await using var broker = new FakeKafkaBroker(defaultPartitions: 4) { ReverseProduceAnswers = true };
        broker.CreateTopic("a", 4);
        broker.CreateTopic("b", 4);
        var reports = new System.Collections.Concurrent.ConcurrentBag<(string Topic, int Partition, long Offset)>();
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 20 }))
        {
            for (var i = 0; i < 2000; i++)
            {
                producer.Produce(i % 2 == 0 ? "a" : "b", new Message<string, string> { Key = $"k{i % 40}", Value = $"v{i}" },
                    r => { if (r.IsSuccess) reports.Add((r.Metadata.Topic, r.Metadata.Partition, r.Metadata.Offset)); });
            }
            await producer.FlushAsync();
        }
        Assert.Equal(2000, reports.Count);
        // Each partition's acknowledged offsets are exactly 0..n-1: no batch took another partition's answer.
        foreach (var g in reports.GroupBy(r => (r.Topic, r.Partition)))
        {
            Assert.Equal(Enumerable.Range(0, g.Count()).Select(o => (long)o), g.Select(r => r.Offset).Order());
            Assert.Equal(g.Count(), broker.Batches(g.Key.Topic, g.Key.Partition).Sum(RecordCount));
        }
    }

    private static int RecordCount(byte[] batch) => new Samsa.Protocol.Records.RecordBatch(batch).RecordCount;

    [Fact]
    public async Task Fire_and_forget_produce_reports_every_record()
    {
        await using var broker = new FakeKafkaBroker();
        var delivered = 0;
        await using (var producer = new Producer<Null, byte[]>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }))
        {
            var message = new Message<Null, byte[]> { Value = new byte[100] };
            for (var i = 0; i < 5000; i++) producer.Produce("auto", message, r => { if (r.IsSuccess) Interlocked.Increment(ref delivered); });
            await producer.FlushAsync();
        }
        Assert.Equal(5000, delivered);
    }

    [Fact]
    public async Task Group_members_split_partitions_and_close_hands_over()
    {
        await using var broker = new FakeKafkaBroker();
        broker.CreateTopic("g", 4);
        ConsumerConfig Config(string strategy) => new()
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "group-1",
            HeartbeatIntervalMs = 100,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = [strategy],
        };
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var log = Environment.GetEnvironmentVariable("SAMSA_TEST_LOG") is null ? null : new ConsoleLoggerFactory();
        var a = new Consumer<string, string>(Config("cooperative-sticky"), loggerFactory: log);
        a.Subscribe("g");
        IReadOnlyCollection<TopicPartition> aAssigned = [], bAssigned = [];
        // a keeps polling until both hold two: with cooperative-sticky, a member that gave partitions
        // up rejoins on its next poll so the other can take them.
        var aLoop = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested && (Volatile.Read(ref aAssigned).Count != 2 || Volatile.Read(ref bAssigned).Count != 2))
            {
                a.Poll(TimeSpan.FromMilliseconds(50));
                Volatile.Write(ref aAssigned, a.Assignment);
            }
        });
        var b = new Consumer<string, string>(Config("cooperative-sticky"), loggerFactory: log);
        b.Subscribe("g");
        var bLoop = Task.Run(() => { while (!stop.IsCancellationRequested) { b.Poll(TimeSpan.FromMilliseconds(50)); Volatile.Write(ref bAssigned, b.Assignment); } });
        await aLoop;
        while (Volatile.Read(ref bAssigned).Count != 2 && !stop.IsCancellationRequested) await Task.Delay(20);
        Assert.Equal(2, Volatile.Read(ref aAssigned).Count);
        Assert.Equal(2, Volatile.Read(ref bAssigned).Count);
        Assert.Empty(Volatile.Read(ref aAssigned).Intersect(Volatile.Read(ref bAssigned)));

        a.Close();
        while (Volatile.Read(ref bAssigned).Count != 4 && !stop.IsCancellationRequested) await Task.Delay(20);
        Assert.Equal(4, Volatile.Read(ref bAssigned).Count);
        await stop.CancelAsync();
        await bLoop;
        b.Close();
    }
}
