using Samsa.Protocol;

namespace Samsa.Client.Tests.Integration;

/// <summary>
/// Record batches of at least <see cref="KafkaWriter.MinimumSegmentSize"/> bytes leave the client
/// by reference (a gather write from the batch's own buffer, no copy into the connection's): they
/// reach the broker intact, several per request, and survive connections cut with them in flight
/// (retried, re-stamped and sent again from the same buffer) without duplicates or damage.
/// </summary>
public abstract class LargeBatchTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    /// <summary>Record <paramref name="index"/>'s value: its index, then bytes that follow from it.</summary>
    private static byte[] Value(int index, int minLength, int maxLength)
    {
        var random = new Random(index);
        var value = new byte[random.Next(minLength, maxLength)];
        random.NextBytes(value);
        BitConverter.TryWriteBytes(value, index);
        return value;
    }

    private static int IndexOf(byte[] value) => BitConverter.ToInt32(value, 0);

    [Theory]
    [InlineData("none")]
    [InlineData("lz4")]
    public async Task Batches_above_the_segment_threshold_are_read_back_byte_for_byte(string codec)
    {
        const int partitions = 3;
        const int total = 3000;
        var topic = await fixture.CreateTopicAsync("large-batches", partitions);
        var config = new ProducerConfig { BootstrapServers = fixture.BootstrapServers, LingerMs = 20, BatchSize = 256 * 1024 };
        config.Set("compression.type", codec);
        var failures = 0;
        await using (var producer = new Producer<byte[], byte[]>(config))
        {
            var message = new Message<byte[], byte[]>();
            Action<DeliveryReport> onDelivery = r =>
            {
                if (!r.IsSuccess) Interlocked.Increment(ref failures);
            };
            for (var i = 0; i < total; i++)
            {
                message.Key = BitConverter.GetBytes(i);
                message.Value = Value(i, 4, 9000);
                message.Headers = i % 5 == 0 ? new Headers().Add("i", BitConverter.GetBytes(i)) : null;
                producer.Produce(new TopicPartition(topic, i % partitions), message, onDelivery);
            }
            await producer.FlushAsync();
        }
        Assert.Equal(0, failures);

        var next = new int[partitions];
        for (var p = 0; p < partitions; p++) next[p] = p;
        var count = 0;
        await using var consumer = new Consumer<byte[], byte[]>(new ConsumerConfig { BootstrapServers = fixture.BootstrapServers });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var until = DateTime.UtcNow + Deadline;
        while (count < total && DateTime.UtcNow < until)
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(500)))
            {
                // Sent to partition i % 3 in rising order, so each partition holds every third index.
                var i = next[r.Partition];
                next[r.Partition] += partitions;
                count++;
                Assert.Equal(BitConverter.GetBytes(i), r.Key);
                Assert.Equal(Value(i, 4, 9000), r.Value);
                if (i % 5 == 0)
                {
                    var header = Assert.Single(r.Headers);
                    Assert.Equal(BitConverter.GetBytes(i), header.Value);
                }
                else
                {
                    Assert.Empty(r.Headers);
                }
            }
        }
        Assert.Equal(total, count);
    }

    [Fact]
    public async Task Large_batches_cut_off_on_the_way_are_retried_without_duplicates_or_damage()
    {
        const int partitions = 4;
        const int total = 4000;
        var topic = await fixture.CreateTopicAsync("large-batches-faults", partitions);
        var config = ProduceThroughFaults.Config(fixture.BootstrapServers, batchSize: 64 * 1024);
        await using (var producer = new Producer<Null, byte[]>(config))
        {
            // Metadata first, so the faults hit produce requests.
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<Null, byte[]> { Value = Value(-1, 8, 9) });
            await ProduceThroughFaults.RunAsync(fixture.Proxy, 0.02, producer, onDelivery =>
            {
                var message = new Message<Null, byte[]>();
                for (var i = 0; i < total; i++)
                {
                    message.Value = Value(i, 2000, 6000);
                    producer.Produce(new TopicPartition(topic, i % partitions), message, onDelivery);
                }
            });
        }

        await using var consumer = new Consumer<Null, byte[]>(new ConsumerConfig { BootstrapServers = fixture.BootstrapServers });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var check = new ReadBackCheck();
        var count = 0;
        var until = DateTime.UtcNow + Deadline;
        while (count < total + 1 && DateTime.UtcNow < until)
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(500)))
            {
                count++;
                var i = IndexOf(r.Value);
                Assert.Equal(Value(i, i < 0 ? 8 : 2000, i < 0 ? 9 : 6000), r.Value);
                if (i < 0) continue;
                Assert.Equal(i % partitions, r.Partition);
                check.Add(i, r.Partition);
            }
        }
        Assert.Equal(total, check.Count);
        Assert.Equal(total + 1, count);
    }
}

/// <summary>Against the in-process fake broker (runs without the Samsa process).</summary>
public sealed class FakeBrokerLargeBatchTests(FakeBrokerFixture fixture) : LargeBatchTests<FakeBrokerFixture>(fixture);
