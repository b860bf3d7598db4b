using Confluent.Kafka;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Groups.Tests.Clients;

/// <summary>Broker start, topic creation, producing and condition waits shared by the client tests.</summary>
internal static class ClientFixture
{

    /// <summary>A broker whose auto-created topics get <paramref name="partitions"/> partitions.</summary>
    public static Task<SamsaProcess> StartBrokerAsync(int partitions) => SamsaProcess.StartAsync(new SamsaProcessOptions
    {
        Overrides =
        {
            ["group.initial.rebalance.delay.ms"] = "0",
            ["num.partitions"] = partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    });

    /// <summary>Creates the topic the way a client's Metadata request does (auto-creation), and waits until every partition has a leader.</summary>
    public static async Task CreateTopicAsync(SamsaProcess broker, string topic, int partitions)
    {
        await using var client = await KafkaWireClient.ConnectAsync(broker);
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = true };
        await WaitUntilAsync(() =>
        {
            var response = client.RoundTripAsync<MetadataRequest, MetadataResponse>(request, 9).GetAwaiter().GetResult();
            var t = response.Topics.Single();
            return t.ErrorCode == 0 && t.Partitions.Count == partitions && t.Partitions.All(p => p.LeaderId >= 0);
        }, $"topic {topic} exists with {partitions} partitions");
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
