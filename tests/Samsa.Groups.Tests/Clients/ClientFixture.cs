using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.TestSupport;

namespace Samsa.Groups.Tests.Clients;

/// <summary>Broker start, topic creation, producing and condition waits shared by the client tests.</summary>
internal static class ClientFixture
{
    /// <summary>Real clients need Metadata, CreateTopics, Produce and Fetch served: enabled once they are.</summary>
    public const string NeedsDataPath = "needs the Metadata/CreateTopics/Produce/Fetch handlers";

    public static Task<SamsaProcess> StartBrokerAsync() =>
        SamsaProcess.StartAsync(new SamsaProcessOptions { Overrides = { ["group.initial.rebalance.delay.ms"] = "0" } });

    public static async Task CreateTopicAsync(SamsaProcess broker, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    public static async Task ProduceAsync(SamsaProcess broker, string topic, int count, int partitions = 1, string prefix = "v")
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers }).Build();
        for (int i = 0; i < count; i++)
        {
            await producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<string, string> { Key = "k" + i, Value = prefix + i });
        }
        producer.Flush(TimeSpan.FromSeconds(10));
    }

    /// <summary>Waits until <paramref name="condition"/> holds (polling, with a deadline).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting until " + what);
            await Task.Delay(50);
        }
    }

    /// <summary>Each of the partitions has exactly one owner among the members.</summary>
    public static bool OwnedOnceEach(IEnumerable<GroupMember> members, int partitions)
    {
        var owned = members.SelectMany(m => m.Owned).ToList();
        return owned.Count == partitions && owned.Distinct().Count() == partitions;
    }
}
