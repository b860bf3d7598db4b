using Samsa.Broker.Replicas;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Metadata.Log;
using Samsa.Protocol;
using Samsa.Storage;

namespace Samsa.Broker.Tests.Replicas;

/// <summary>The image drives the hosted partitions: a real controller on an in-memory metadata log.</summary>
public sealed class PartitionManagerTests : IAsyncLifetime
{
    private readonly InMemoryMetadataLog _log = new();
    private readonly MetadataLoader _loader = new();
    private readonly ReplicaManagerFixture _fixture = new();
    private QuorumController _controller = null!;
    private PartitionManager _partitions = null!;

    public async Task InitializeAsync()
    {
        await _log.StartAsync(_loader, CancellationToken.None);
        _controller = new QuorumController(_log, _loader, new QuorumControllerOptions { DefaultNumPartitions = 3 });
        Assert.Equal(ErrorCode.None, await _controller.BootstrapAsync());
        var (error, _) = await _controller.RegisterBrokerAsync(new BrokerRegistrationRequest(
            ReplicaManagerFixture.BrokerId, Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)]));
        Assert.Equal(ErrorCode.None, error);
        _partitions = new PartitionManager(_fixture.ReplicaManager, _controller.Configs);
        _partitions.Start(_loader);
    }

    public async Task DisposeAsync()
    {
        _partitions.Dispose();
        await _controller.DisposeAsync();
        await _log.DisposeAsync();
        _fixture.Dispose();
    }

    [Fact]
    public async Task A_created_topic_is_hosted_and_led_here_with_its_configs()
    {
        CreateTopicResult created = Assert.Single(await _controller.CreateTopicsAsync(
            [new CreatableTopic("orders", Configs: new Dictionary<string, string?> { ["max.message.bytes"] = "5000" })]));

        Assert.Equal(ErrorCode.None, created.ErrorCode);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ErrorCode.None, _fixture.ReplicaManager.GetLeaderPartition("orders", i, out Partition? p));
            Assert.Equal(created.TopicId, p!.TopicId);
            Assert.Equal(5000, p.Log.Config.MaxMessageBytes);
        }
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, _fixture.ReplicaManager.GetLeaderPartition("orders", 3, out _));
        Assert.Equal("orders", _fixture.ReplicaManager.GetTopic(created.TopicId)!.Name);
    }

    [Fact]
    public async Task Creating_a_topic_applies_only_that_topic()
    {
        await _controller.CreateTopicsAsync([new CreatableTopic("first", 1)]);
        long applied = _partitions.TopicsApplied;

        await _controller.CreateTopicsAsync([new CreatableTopic("second", 1)]);

        // Only "second" was applied again: "first", its configs and the broker configs are unchanged.
        Assert.Equal(applied + 1, _partitions.TopicsApplied);
    }

    [Fact]
    public async Task An_altered_topic_config_reaches_the_log()
    {
        await _controller.CreateTopicsAsync([new CreatableTopic("t", 1)]);
        IReadOnlyList<AlterConfigsResult> altered = await _controller.IncrementalAlterConfigsAsync(
            [new IncrementalAlterConfigsResource(ConfigResource.Topic("t"), [new AlterableConfig("message.timestamp.type", AlterConfigOp.Set, "LogAppendTime")])]);

        Assert.Equal(ErrorCode.None, Assert.Single(altered).ErrorCode);
        _fixture.ReplicaManager.GetLeaderPartition("t", 0, out Partition? p);
        Assert.Equal(Samsa.Protocol.Records.TimestampType.LogAppendTime, p!.Log.Config.MessageTimestampType);
        PartitionAppendResult r = _fixture.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1), 1);
        Assert.True(r.LogAppendTime > 0);
    }

    [Fact]
    public async Task A_deleted_topic_loses_its_logs()
    {
        await _controller.CreateTopicsAsync([new CreatableTopic("gone", 2)]);
        _fixture.ReplicaManager.GetLeaderPartition("gone", 0, out Partition? p);
        string dir = p!.Log.Directory;
        Assert.True(Directory.Exists(dir));

        await _controller.DeleteTopicsAsync([TopicRef.ByName("gone")]);

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, _fixture.ReplicaManager.GetLeaderPartition("gone", 0, out _));
        Assert.Null(_fixture.Logs.GetLog("gone", 0));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Added_partitions_are_hosted()
    {
        await _controller.CreateTopicsAsync([new CreatableTopic("grow", 1)]);
        await _controller.CreatePartitionsAsync([new CreatePartitionsTopic("grow", 4)]);

        Assert.Equal(ErrorCode.None, _fixture.ReplicaManager.GetLeaderPartition("grow", 3, out _));
        Assert.Equal(4, _fixture.Logs.Managers[0].Logs.Count(l => l.Topic == "grow"));
    }
}
