namespace Samsa.Client.Tests.Integration;

/// <summary>
/// An idempotent producer sends 100,000 records while the proxy between it and the broker cuts
/// connections with responses in flight. Afterwards each record is in the log exactly once and,
/// per partition, in the order it was sent.
/// </summary>
public abstract class IdempotenceTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    [Fact]
    public async Task Dropped_responses_and_connections_cause_no_duplicates_and_no_reordering()
    {
        const int partitions = 4;
        const int total = 100_000;
        var topic = await fixture.CreateTopicAsync("idempotence", partitions);

        var config = ProduceThroughFaults.Config(fixture.BootstrapServers, batchSize: 4096);
        await using (var producer = new Producer<int, string>(config))
        {
            // Metadata first, so the faults hit produce requests.
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<int, string> { Key = -1, Value = "warmup" });
            await ProduceThroughFaults.RunAsync(fixture.Proxy, 0.01, producer, onDelivery =>
            {
                var message = new Message<int, string>();
                for (var i = 0; i < total; i++)
                {
                    message.Key = i % 64;
                    message.Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    producer.Produce(topic, message, onDelivery);
                }
            });
        }

        await using var consumer = new Consumer<int, string>(new ConsumerConfig { BootstrapServers = fixture.BootstrapServers, MaxPollRecords = 5000 });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var check = new ReadBackCheck();
        var count = 0;
        var until = DateTime.UtcNow.AddMinutes(2);
        while (count < total + 1 && DateTime.UtcNow < until)
        {
            foreach (var r in await consumer.PollAsync(TimeSpan.FromMilliseconds(500)))
            {
                count++;
                if (r.Value == "warmup") continue;
                check.Add(int.Parse(r.Value!, System.Globalization.CultureInfo.InvariantCulture), r.Partition);
            }
        }
        Assert.Equal(total, check.Count);
        Assert.Equal(total + 1, count);
    }
}

/// <summary>Against the in-process fake broker (runs without the Samsa process).</summary>
public sealed class FakeBrokerIdempotenceTests(FakeBrokerFixture fixture) : IdempotenceTests<FakeBrokerFixture>(fixture);
