using System.Collections.Concurrent;
using Confluent.Kafka;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Stopping the broker (SIGTERM) or killing it (SIGKILL) loses no acknowledged record.</summary>
public sealed class RestartTests
{
    private static SamsaProcessOptions Options()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["num.partitions"] = "3";
        return options;
    }

    [Fact]
    public async Task After_sigterm_and_start_everything_is_readable()
    {
        await using SamsaProcess broker = await SamsaProcess.StartAsync(Options());
        const int count = 3_000;
        string topic = BrokerFixture.NewTopic("restart");
        using (IProducer<string, string> producer = new ProducerBuilder<string, string>(
            new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            var pending = new List<Task<DeliveryResult<string, string>>>();
            for (int i = 0; i < count; i++)
            {
                pending.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }));
            }
            await Task.WhenAll(pending);
        }

        Assert.Equal(0, await broker.StopAsync());
        await broker.RestartAsync();
        List<ConsumeResult<string, string>> consumed = ConfluentKafkaTests.ConsumeAll(broker.BootstrapServers, topic, count, partitions: 3);

        Assert.Equal(count, consumed.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"v{i}").Order(), consumed.Select(c => c.Message.Value).Order());
    }

    [Fact]
    public async Task After_kill_9_mid_produce_every_acknowledged_record_is_there()
    {
        await using SamsaProcess broker = await SamsaProcess.StartAsync(Options());
        string topic = BrokerFixture.NewTopic("crash");
        var acked = new ConcurrentDictionary<(int Partition, long Offset), string>();
        var config = new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            Acks = Acks.All,
            LingerMs = 2,
            MessageTimeoutMs = 5_000,
        };
        using (IProducer<string, string> producer = new ProducerBuilder<string, string>(config).Build())
        {
            // Kill the broker once 1,000 records are acknowledged, while the producer keeps sending.
            Task killer = Task.Run(async () =>
            {
                DateTime deadline = DateTime.UtcNow.AddMinutes(1);
                while (acked.Count < 1_000 && DateTime.UtcNow < deadline)
                {
                    await Task.Yield();
                }
                broker.Kill();
            });
            for (int i = 0; !killer.IsCompleted && i < 200_000; i++)
            {
                string value = $"v{i}";
                try
                {
                    producer.Produce(topic, new Message<string, string> { Key = value, Value = value }, r =>
                    {
                        if (r.Error.Code == ErrorCode.NoError)
                        {
                            acked[(r.Partition.Value, r.Offset.Value)] = r.Message.Value;
                        }
                    });
                }
                catch (ProduceException<string, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
            await killer;
            producer.Flush(TimeSpan.FromSeconds(10)); // the rest fails: not acknowledged, not counted
        }
        Assert.True(broker.HasExited);
        int acknowledged = acked.Count;

        await broker.RestartAsync();
        List<ConsumeResult<string, string>> consumed = ConfluentKafkaTests.ConsumeAll(broker.BootstrapServers, topic, acknowledged, partitions: 3);

        Assert.True(acknowledged >= 1_000);
        var stored = consumed.ToDictionary(c => (c.Partition.Value, c.Offset.Value), c => c.Message.Value);
        foreach (((int p, long o), string v) in acked)
        {
            Assert.True(stored.TryGetValue((p, o), out string? found), $"acknowledged record {v} at {p}/{o} is missing");
            Assert.Equal(v, found);
        }
    }
}
