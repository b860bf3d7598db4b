using Confluent.Kafka;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// <c>auto.create.topics.enable</c> as clients see it: on, producing to an unknown topic creates it
/// with <c>num.partitions</c>; off, producers, metadata requests and kcat get UNKNOWN_TOPIC_OR_PARTITION
/// and nothing is created.
/// </summary>
public sealed class AutoCreateTests
{
    private static async Task<SamsaProcess> StartAsync(bool autoCreate, int partitions)
    {
        var options = new SamsaProcessOptions();
        options.Overrides["auto.create.topics.enable"] = autoCreate ? "true" : "false";
        options.Overrides["num.partitions"] = partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await SamsaProcess.StartAsync(options);
    }

    [Fact]
    public async Task Producing_to_an_unknown_topic_creates_it_with_num_partitions()
    {
        await using SamsaProcess broker = await StartAsync(autoCreate: true, partitions: 4);
        const string topic = "created-on-produce";
        using (IProducer<string, string> producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, Acks = Acks.All }).Build())
        {
            DeliveryResult<string, string> r = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v" });
            Assert.Equal(PersistenceStatus.Persisted, r.Status);
        }

        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        TopicMetadata described = Assert.Single(admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics);
        Assert.Equal(ErrorCode.NoError, described.Error.Code);
        Assert.Equal([0, 1, 2, 3], described.Partitions.Select(p => p.PartitionId).Order());
        Assert.All(described.Partitions, p => Assert.Equal(1, p.Leader));
    }

    [Fact]
    public async Task With_auto_create_off_a_producer_gets_unknown_topic_or_partition()
    {
        await using SamsaProcess broker = await StartAsync(autoCreate: false, partitions: 3);
        var config = new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            Acks = Acks.All,
            // librdkafka waits this long for a new topic to appear before failing its messages (default 30 s).
            TopicMetadataPropagationMaxMs = 1000,
            MessageTimeoutMs = 30_000,
        };
        using IProducer<string, string> producer = new ProducerBuilder<string, string>(config).Build();

        var e = await Assert.ThrowsAsync<ProduceException<string, string>>(() =>
            producer.ProduceAsync("no-such-topic", new Message<string, string> { Key = "k", Value = "v" }));

        Assert.Equal(ErrorCode.UnknownTopicOrPart, e.Error.Code);
        Assert.Equal(PersistenceStatus.NotPersisted, e.DeliveryResult.Status);
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics, t => t.Topic == "no-such-topic");
    }

    [Fact]
    public async Task With_auto_create_off_metadata_for_an_unknown_topic_is_unknown_topic_or_partition()
    {
        await using SamsaProcess broker = await StartAsync(autoCreate: false, partitions: 3);

        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        TopicMetadata described = Assert.Single(admin.GetMetadata("not-there", TimeSpan.FromSeconds(30)).Topics);
        Assert.Equal(ErrorCode.UnknownTopicOrPart, described.Error.Code);
        Assert.Empty(described.Partitions);

        ExternalTool.Result kcat = await ExternalTool.RunAsync("kcat", ["-L", "-b", broker.BootstrapServers, "-t", "not-there"], TimeSpan.FromMinutes(1));
        Assert.Contains("Broker: Unknown topic or partition", kcat.Stdout + kcat.Stderr);

        Assert.DoesNotContain(admin.GetMetadata(TimeSpan.FromSeconds(30)).Topics, t => t.Topic == "not-there");
    }
}
