namespace Samsa.Client.Tests.Integration;

/// <summary>
/// With a tiny buffer.memory and the broker stopped, sends block until max.block.ms and then fail
/// with a clear exception; records acknowledged before the stop are all there once the broker is
/// started again.
/// </summary>
public abstract class BackPressureTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    [Fact]
    public async Task Full_buffer_blocks_then_fails_after_max_block_ms_and_keeps_acknowledged_records()
    {
        var topic = await fixture.CreateTopicAsync("backpressure", 1);
        var config = new ProducerConfig
        {
            BootstrapServers = fixture.BootstrapServers,
            BufferMemory = 64 * 1024,
            BatchSize = 16 * 1024,
            MaxBlockMs = 1500,
            LingerMs = 0,
            RequestTimeoutMs = 2000,
            DeliveryTimeoutMs = 600000,
        };
        var acknowledged = new List<string>();
        var producer = new Producer<string, string>(config);
        var stopped = false;
        try
        {
            // The first send also waits for metadata within max.block.ms, which a loaded machine may
            // miss: retry it until a deadline, so the short max.block.ms only matters below.
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    await producer.ProduceAsync(topic, new Message<string, string> { Value = "acked-0" });
                    break;
                }
                catch (KafkaTimeoutException) when (DateTime.UtcNow < until)
                {
                }
            }
            acknowledged.Add("acked-0");
            for (var i = 1; i < 100; i++)
            {
                var value = $"acked-{i}";
                await producer.ProduceAsync(topic, new Message<string, string> { Value = value });
                acknowledged.Add(value);
            }

            await fixture.StopBrokerAsync();
            stopped = true;
            var payload = new string('x', 1000);
            KafkaTimeoutException? failure = null;
            var blockedFor = TimeSpan.Zero;
            for (var i = 0; i < 1000 && failure is null; i++)
            {
                var before = DateTime.UtcNow;
                try
                {
                    producer.Produce(topic, new Message<string, string> { Value = payload });
                }
                catch (KafkaTimeoutException e)
                {
                    failure = e;
                    blockedFor = DateTime.UtcNow - before;
                }
            }
            Assert.NotNull(failure);
            Assert.Contains("buffer.memory", failure!.Message, StringComparison.Ordinal);
            Assert.Contains("max.block.ms", failure.Message, StringComparison.Ordinal);
            Assert.True(blockedFor >= TimeSpan.FromMilliseconds(1400), $"the send blocked only {blockedFor}");
        }
        finally
        {
            producer.Close(TimeSpan.Zero);
            if (stopped) await fixture.StartBrokerAsync();
        }

        await using var consumer = new Consumer<string, string>(new ConsumerConfig { BootstrapServers = fixture.BootstrapServers });
        consumer.Assign([new TopicPartitionOffset(topic, 0, 0)]);
        var read = new List<string>();
        var readUntil = DateTime.UtcNow.AddSeconds(60);
        while (read.Count < acknowledged.Count && DateTime.UtcNow < readUntil)
            read.AddRange((await consumer.PollAsync(TimeSpan.FromMilliseconds(500))).Select(r => r.Value!));
        Assert.Equal(acknowledged, read.Take(acknowledged.Count));
    }
}

/// <summary>Against the in-process fake broker (runs without the Samsa process).</summary>
public sealed class FakeBrokerBackPressureTests(FakeBrokerFixture fixture) : BackPressureTests<FakeBrokerFixture>(fixture);
