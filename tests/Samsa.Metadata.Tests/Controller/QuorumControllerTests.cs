using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Metadata.Log;
using Samsa.Protocol;

namespace Samsa.Metadata.Tests.Controller;

public sealed class QuorumControllerTests : IAsyncLifetime
{
    private readonly InMemoryMetadataLog log = new();
    private readonly MetadataLoader loader = new();
    private QuorumController controller = null!;

    public async Task InitializeAsync()
    {
        await log.StartAsync(loader, CancellationToken.None);
        controller = new QuorumController(log, loader, new QuorumControllerOptions { DefaultNumPartitions = 3 });
        Assert.Equal(ErrorCode.None, await controller.BootstrapAsync());
        await RegisterAsync(1);
    }

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        await log.DisposeAsync();
    }

    private async Task<long> RegisterAsync(int brokerId)
    {
        var (error, epoch) = await controller.RegisterBrokerAsync(new BrokerRegistrationRequest(
            brokerId, Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092 + brokerId, 0)]));
        Assert.Equal(ErrorCode.None, error);
        return epoch;
    }

    private async Task<CreateTopicResult> CreateAsync(CreatableTopic topic, bool validateOnly = false)
        => Assert.Single(await controller.CreateTopicsAsync([topic], validateOnly));

    [Fact]
    public async Task Bootstrap_writes_metadata_version_once_and_the_broker_is_registered_live()
    {
        Assert.Equal(MetadataFeatures.LatestMetadataVersion, controller.Image.MetadataVersion);
        var batches = log.Batches.Count;
        Assert.Equal(ErrorCode.None, await controller.BootstrapAsync());
        Assert.Equal(batches, log.Batches.Count);
        var broker = controller.Image.GetBroker(1)!;
        Assert.False(broker.Fenced);
        Assert.Equal(9093, broker.Listener("PLAINTEXT")!.Port);
    }

    [Fact]
    public async Task Create_topic_assigns_a_random_id_default_partitions_and_configs()
    {
        var result = await CreateAsync(new CreatableTopic("orders", Configs: new Dictionary<string, string?> { ["retention.ms"] = "1000", ["cleanup.policy"] = "compact" }));

        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal(3, result.NumPartitions);
        Assert.Equal(1, result.ReplicationFactor);
        Assert.NotEqual(Guid.Empty, result.TopicId);
        var topic = controller.Image.GetTopic("orders")!;
        Assert.Equal(result.TopicId, topic.Id);
        Assert.All(topic.Partitions.Values, p => Assert.Equal(1, p.Leader));
        Assert.Equal("compact", controller.Image.GetConfigs(ConfigResource.Topic("orders"))["cleanup.policy"]);

        var other = await CreateAsync(new CreatableTopic("payments", 1));
        Assert.NotEqual(result.TopicId, other.TopicId);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("ümlaut")]
    public async Task Illegal_topic_names_get_invalid_topic_exception(string name)
        => Assert.Equal(ErrorCode.InvalidTopicException, (await CreateAsync(new CreatableTopic(name))).ErrorCode);

    [Fact]
    public async Task Topic_names_up_to_249_characters_are_legal()
    {
        Assert.Equal(ErrorCode.None, (await CreateAsync(new CreatableTopic(new string('a', 249), 1))).ErrorCode);
        Assert.Equal(ErrorCode.InvalidTopicException, (await CreateAsync(new CreatableTopic(new string('b', 250), 1))).ErrorCode);
    }

    [Fact]
    public async Task Existing_topics_and_dot_underscore_collisions_are_refused()
    {
        Assert.Equal(ErrorCode.None, (await CreateAsync(new CreatableTopic("a.b", 1))).ErrorCode);
        Assert.Equal(ErrorCode.TopicAlreadyExists, (await CreateAsync(new CreatableTopic("a.b", 1))).ErrorCode);
        var collision = await CreateAsync(new CreatableTopic("a_b", 1));
        Assert.Equal(ErrorCode.InvalidTopicException, collision.ErrorCode);
        Assert.Contains("collides", collision.ErrorMessage);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public async Task Non_positive_partition_counts_get_invalid_partitions(int partitions)
        => Assert.Equal(ErrorCode.InvalidPartitions, (await CreateAsync(new CreatableTopic("t", partitions))).ErrorCode);

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(2)] // only one live broker
    public async Task Bad_replication_factors_get_invalid_replication_factor(short rf)
        => Assert.Equal(ErrorCode.InvalidReplicationFactor, (await CreateAsync(new CreatableTopic("t", 1, rf))).ErrorCode);

    [Fact]
    public async Task Replicas_are_spread_round_robin_over_live_brokers()
    {
        await RegisterAsync(2);
        await RegisterAsync(3);
        var result = await CreateAsync(new CreatableTopic("spread", 6, 2));
        Assert.Equal(ErrorCode.None, result.ErrorCode);

        var partitions = controller.Image.GetTopic("spread")!.Partitions.Values.ToList();
        Assert.All(partitions, p => Assert.Equal(2, p.Replicas.Distinct().Count()));
        Assert.Equal(2, partitions.Count(p => p.Leader == 1));
        Assert.Equal(2, partitions.Count(p => p.Leader == 2));
        Assert.Equal(2, partitions.Count(p => p.Leader == 3));
    }

    [Theory]
    [InlineData("retention.ms", "soon")]
    [InlineData("no.such.config", "1")]
    [InlineData("cleanup.policy", "delete,shred")]
    [InlineData("min.cleanable.dirty.ratio", "1.5")]
    [InlineData("message.timestamp.type", "WallClock")]
    [InlineData("segment.bytes", "10")]
    [InlineData("retention.ms", null)]
    public async Task Bad_topic_configs_get_invalid_config(string key, string? value)
    {
        var result = await CreateAsync(new CreatableTopic("t", 1, Configs: new Dictionary<string, string?> { [key] = value }));
        Assert.Equal(ErrorCode.InvalidConfig, result.ErrorCode);
        Assert.Contains(key, result.ErrorMessage);
        Assert.Null(controller.Image.GetTopic("t"));
    }

    [Fact]
    public async Task Validate_only_checks_without_creating()
    {
        var result = await CreateAsync(new CreatableTopic("dry", 2), validateOnly: true);
        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Null(controller.Image.GetTopic("dry"));
    }

    [Fact]
    public async Task One_request_with_a_good_and_a_bad_topic_creates_only_the_good_one()
    {
        var results = await controller.CreateTopicsAsync([new CreatableTopic("good", 1), new CreatableTopic("bad", 0), new CreatableTopic("dup", 1), new CreatableTopic("dup", 1)]);
        Assert.Equal([ErrorCode.None, ErrorCode.InvalidPartitions, ErrorCode.InvalidRequest, ErrorCode.InvalidRequest], results.Select(r => r.ErrorCode));
        Assert.NotNull(controller.Image.GetTopic("good"));
        Assert.Null(controller.Image.GetTopic("dup"));
    }

    [Fact]
    public async Task Manual_assignments_are_validated()
    {
        var ok = await CreateAsync(new CreatableTopic("manual", Assignments: new Dictionary<int, IReadOnlyList<int>> { [0] = [1], [1] = [1] }));
        Assert.Equal(ErrorCode.None, ok.ErrorCode);
        Assert.Equal(2, ok.NumPartitions);

        var unknownBroker = await CreateAsync(new CreatableTopic("m2", Assignments: new Dictionary<int, IReadOnlyList<int>> { [0] = [7] }));
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, unknownBroker.ErrorCode);
        var both = await CreateAsync(new CreatableTopic("m3", 1, Assignments: new Dictionary<int, IReadOnlyList<int>> { [0] = [1] }));
        Assert.Equal(ErrorCode.InvalidRequest, both.ErrorCode);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_have_exactly_one_winner()
    {
        var attempts = Enumerable.Range(0, 16).Select(_ => Task.Run(() => controller.CreateTopicsAsync([new CreatableTopic("race", 1)]))).ToList();
        var results = (await Task.WhenAll(attempts)).Select(r => Assert.Single(r)).ToList();

        Assert.Single(results, r => r.ErrorCode == ErrorCode.None);
        Assert.Equal(15, results.Count(r => r.ErrorCode == ErrorCode.TopicAlreadyExists));
        Assert.Single(controller.Image.TopicsById);
    }

    [Fact]
    public async Task Delete_topics_by_name_and_id_with_unknown_ones_reported()
    {
        var a = await CreateAsync(new CreatableTopic("a", 1));
        await CreateAsync(new CreatableTopic("b", 1, Configs: new Dictionary<string, string?> { ["retention.ms"] = "5" }));
        var unknownId = Guid.NewGuid();

        var results = await controller.DeleteTopicsAsync([TopicRef.ById(a.TopicId), TopicRef.ByName("b"), TopicRef.ByName("nope"), TopicRef.ById(unknownId)]);

        Assert.Equal([ErrorCode.None, ErrorCode.None, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicId], results.Select(r => r.ErrorCode));
        Assert.Equal("a", results[0].Name);
        Assert.Empty(controller.Image.TopicsById);
        Assert.DoesNotContain(controller.Image.Configs.Keys, k => k.Type == ConfigResourceType.Topic);

        // A topic created again under a deleted name gets a new id and default configs.
        var again = await CreateAsync(new CreatableTopic("b", 1));
        Assert.Empty(controller.Image.GetConfigs(ConfigResource.Topic("b")));
        Assert.NotEqual(Guid.Empty, again.TopicId);
    }

    [Fact]
    public async Task Create_partitions_only_increases()
    {
        await CreateAsync(new CreatableTopic("grow", 2));

        var results = await controller.CreatePartitionsAsync([new CreatePartitionsTopic("grow", 5)]);
        Assert.Equal(ErrorCode.None, Assert.Single(results).ErrorCode);
        Assert.Equal(5, controller.Image.GetTopic("grow")!.PartitionCount);

        Assert.Equal(ErrorCode.InvalidPartitions, (await controller.CreatePartitionsAsync([new CreatePartitionsTopic("grow", 5)]))[0].ErrorCode);
        Assert.Equal(ErrorCode.InvalidPartitions, (await controller.CreatePartitionsAsync([new CreatePartitionsTopic("grow", 3)]))[0].ErrorCode);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await controller.CreatePartitionsAsync([new CreatePartitionsTopic("none", 3)]))[0].ErrorCode);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, (await controller.CreatePartitionsAsync([new CreatePartitionsTopic("grow", 7, [[1]])]))[0].ErrorCode);

        var dry = await controller.CreatePartitionsAsync([new CreatePartitionsTopic("grow", 9)], validateOnly: true);
        Assert.Equal(ErrorCode.None, dry[0].ErrorCode);
        Assert.Equal(5, controller.Image.GetTopic("grow")!.PartitionCount);
    }

    [Fact]
    public async Task Incremental_alter_configs_set_delete_append_subtract()
    {
        await CreateAsync(new CreatableTopic("cfg", 1));
        var topic = ConfigResource.Topic("cfg");

        var results = await controller.IncrementalAlterConfigsAsync([new IncrementalAlterConfigsResource(topic, [
            new AlterableConfig("retention.ms", AlterConfigOp.Set, "60000"),
            new AlterableConfig("cleanup.policy", AlterConfigOp.Append, "compact"),
        ])]);
        Assert.Equal(ErrorCode.None, results[0].ErrorCode);
        var configs = controller.Image.GetConfigs(topic);
        Assert.Equal("60000", configs["retention.ms"]);
        Assert.Equal("delete,compact", configs["cleanup.policy"]);

        await controller.IncrementalAlterConfigsAsync([new IncrementalAlterConfigsResource(topic, [
            new AlterableConfig("retention.ms", AlterConfigOp.Delete, null),
            new AlterableConfig("cleanup.policy", AlterConfigOp.Subtract, "delete"),
        ])]);
        configs = controller.Image.GetConfigs(topic);
        Assert.False(configs.ContainsKey("retention.ms"));
        Assert.Equal("compact", configs["cleanup.policy"]);
    }

    [Fact]
    public async Task Alter_configs_errors_per_resource()
    {
        await CreateAsync(new CreatableTopic("cfg", 1));
        var results = await controller.IncrementalAlterConfigsAsync([
            new IncrementalAlterConfigsResource(ConfigResource.Topic("cfg"), [new AlterableConfig("retention.ms", AlterConfigOp.Append, "1")]),
            new IncrementalAlterConfigsResource(ConfigResource.Topic("cfg"), [new AlterableConfig("retention.ms", AlterConfigOp.Set, "x")]),
            new IncrementalAlterConfigsResource(ConfigResource.Topic("missing"), [new AlterableConfig("retention.ms", AlterConfigOp.Set, "1")]),
            new IncrementalAlterConfigsResource(ConfigResource.Broker(1), [new AlterableConfig("node.id", AlterConfigOp.Set, "5")]),
            new IncrementalAlterConfigsResource(ConfigResource.Broker(1), [new AlterableConfig("log.retention.ms", AlterConfigOp.Set, "5000")]),
            new IncrementalAlterConfigsResource(ConfigResource.ClusterDefault, [new AlterableConfig("log.segment.bytes", AlterConfigOp.Set, "2048")]),
        ]);

        Assert.Equal([ErrorCode.InvalidConfig, ErrorCode.InvalidConfig, ErrorCode.UnknownTopicOrPartition, ErrorCode.InvalidConfig, ErrorCode.None, ErrorCode.None],
            results.Select(r => r.ErrorCode));
        Assert.Equal("5000", controller.Image.GetConfigs(ConfigResource.Broker(1))["log.retention.ms"]);
        Assert.Equal("2048", controller.Image.GetConfigs(ConfigResource.ClusterDefault)["log.segment.bytes"]);
    }

    [Fact]
    public async Task Legacy_alter_configs_replaces_the_whole_set()
    {
        await CreateAsync(new CreatableTopic("legacy", 1, Configs: new Dictionary<string, string?> { ["retention.ms"] = "5", ["segment.ms"] = "100" }));
        var results = await controller.AlterConfigsAsync([new AlterConfigsResource(ConfigResource.Topic("legacy"), new Dictionary<string, string?> { ["retention.bytes"] = "1024" })]);

        Assert.Equal(ErrorCode.None, results[0].ErrorCode);
        var configs = controller.Image.GetConfigs(ConfigResource.Topic("legacy"));
        Assert.Equal(["retention.bytes"], configs.Keys);
    }

    [Fact]
    public async Task Producer_id_blocks_are_consecutive_and_never_reused()
    {
        var epoch = controller.Image.GetBroker(1)!.Epoch;
        var (e1, b1) = await controller.AllocateProducerIdsAsync(1, epoch);
        var (e2, b2) = await controller.AllocateProducerIdsAsync(1, epoch);

        Assert.Equal(ErrorCode.None, e1);
        Assert.Equal(ErrorCode.None, e2);
        Assert.Equal(0, b1.FirstProducerId);
        Assert.Equal(1000, b1.Size);
        Assert.Equal(1000, b2.FirstProducerId);
        Assert.Equal(2000, controller.Image.NextProducerId);
        Assert.Equal(ErrorCode.BrokerIdNotRegistered, (await controller.AllocateProducerIdsAsync(9, 0)).Error);
        Assert.Equal(ErrorCode.StaleBrokerEpoch, (await controller.AllocateProducerIdsAsync(1, epoch + 100)).Error);

        using var manager = new ProducerIdManager(ct => controller.AllocateProducerIdsAsync(1, epoch, ct));
        var ids = new HashSet<long>();
        for (var i = 0; i < 1500; i++)
            Assert.True(ids.Add((await manager.NextAsync()).ProducerId));
        Assert.Equal(2000, ids.Min());
        Assert.Equal(4000, controller.Image.NextProducerId);
    }

    [Fact]
    public async Task On_a_follower_every_operation_gets_not_controller()
    {
        log.SetLeader(false);
        Assert.Equal(ErrorCode.NotController, (await CreateAsync(new CreatableTopic("t", 1))).ErrorCode);
        Assert.Equal(ErrorCode.NotController, (await controller.DeleteTopicsAsync([TopicRef.ByName("t")]))[0].ErrorCode);
        Assert.Equal(ErrorCode.NotController, (await controller.CreatePartitionsAsync([new CreatePartitionsTopic("t", 2)]))[0].ErrorCode);
        Assert.Equal(ErrorCode.NotController, (await controller.IncrementalAlterConfigsAsync([new IncrementalAlterConfigsResource(ConfigResource.Topic("t"), [])]))[0].ErrorCode);
        Assert.Equal(ErrorCode.NotController, (await controller.AllocateProducerIdsAsync(1, -1)).Error);
    }

    [Fact]
    public async Task Topic_deletion_can_be_disabled()
    {
        await using var strict = new QuorumController(log, loader, new QuorumControllerOptions { DeleteTopicEnable = false });
        await CreateAsync(new CreatableTopic("keep", 1));
        Assert.Equal(ErrorCode.TopicDeletionDisabled, (await strict.DeleteTopicsAsync([TopicRef.ByName("keep")]))[0].ErrorCode);
    }
}
