using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Metadata.Log;
using Samsa.Protocol;

namespace Samsa.Metadata.Tests;

public sealed class MetadataQuorumTests : IDisposable
{
    private readonly TempDirectory dir = new();
    private readonly int port = Samsa.TestSupport.FreePort.Next();

    public void Dispose() => dir.Dispose();

    private Task<MetadataQuorum> StartAsync(int snapshotInterval = 1000) => MetadataQuorum.StartAsync(Options(snapshotInterval));

    private MetadataQuorumOptions Options(int snapshotInterval = 1000) => new()
    {
        NodeId = 1,
        LogDirectory = dir.Path,
        Voters = QuorumVoter.ParseList($"1@localhost:{port}"),
        Listeners = [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)],
        DefaultNumPartitions = 2,
        SnapshotIntervalEntries = snapshotInterval,
    };

    [Fact]
    public async Task Start_bootstraps_registers_the_broker_and_restart_keeps_topics_ids_configs_and_producer_ids()
    {
        Guid ordersId;
        long lastProducerId;
        await using (var quorum = await StartAsync())
        {
            Assert.True(Directory.Exists(Path.Combine(dir.Path, "__cluster_metadata-0")));
            Assert.Equal(MetadataFeatures.LatestMetadataVersion, quorum.Image.MetadataVersion);
            Assert.False(quorum.Image.GetBroker(1)!.Fenced);
            Assert.True(quorum.BrokerEpoch >= 0);

            var created = await quorum.Controller.CreateTopicsAsync([new CreatableTopic("orders", Configs: new Dictionary<string, string?> { ["retention.ms"] = "1000" })]);
            Assert.Equal(ErrorCode.None, created[0].ErrorCode);
            ordersId = created[0].TopicId;
            (_, lastProducerId) = await quorum.ProducerIds.NextAsync();
        }

        await using (var again = await StartAsync())
        {
            var orders = again.Image.GetTopic("orders")!;
            Assert.Equal(ordersId, orders.Id);
            Assert.Equal(2, orders.PartitionCount);
            Assert.Equal("1000", again.Image.GetConfigs(ConfigResource.Topic("orders"))["retention.ms"]);
            Assert.Single(again.Image.Brokers);

            // The new process gets a fresh block: never an id handed out before the restart.
            var (error, next) = await again.ProducerIds.NextAsync();
            Assert.Equal(ErrorCode.None, error);
            Assert.True(next > lastProducerId, $"{next} must be above {lastProducerId}");
            Assert.Equal(ErrorCode.TopicAlreadyExists, (await again.Controller.CreateTopicsAsync([new CreatableTopic("orders")]))[0].ErrorCode);
        }
    }

    [Fact]
    public async Task Restart_after_snapshots_rebuilds_the_same_image()
    {
        byte[] before;
        await using (var quorum = await StartAsync(snapshotInterval: 4))
        {
            for (var i = 0; i < 15; i++)
                Assert.Equal(ErrorCode.None, (await quorum.Controller.CreateTopicsAsync([new CreatableTopic($"t{i}", 1)]))[0].ErrorCode);
            await quorum.Controller.DeleteTopicsAsync([TopicRef.ByName("t3")]);
            before = TestSupport.Fingerprint(quorum.Image);
        }

        await using var again = await StartAsync(snapshotInterval: 4);
        // The re-registration of the broker at start changes only the broker's epoch and incarnation.
        Assert.Equal(14, again.Image.TopicsById.Count);
        Assert.Null(again.Image.GetTopic("t3"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, "__cluster_metadata-0", "snapshots")));
        Assert.NotEmpty(before);
    }

    [Theory]
    [InlineData(1000)] // restart replays the log entry by entry
    [InlineData(2)] // restart loads a snapshot, then replays the tail
    public async Task A_subscriber_attached_before_start_sees_every_local_partition_of_the_rebuilt_image(int snapshotInterval)
    {
        await using (var quorum = await StartAsync(snapshotInterval))
        {
            await quorum.Controller.CreateTopicsAsync([new CreatableTopic("orders", 3)]);
            await quorum.Controller.CreateTopicsAsync([new CreatableTopic("gone", 1)]);
            await quorum.Controller.DeleteTopicsAsync([TopicRef.ByName("gone")]);
        }

        var hosted = new HashSet<(string, int)>();
        await using var again = MetadataQuorum.Create(Options(snapshotInterval));
        again.ImageChanged += (_, e) =>
        {
            var local = e.Delta.GetLocalChanges(1);
            if (e.IsSnapshot)
                hosted.Clear();
            foreach (var r in local.Leaders.Concat(local.Followers))
                hosted.Add((r.Topic, r.Partition));
            foreach (var r in local.Deleted)
                hosted.Remove((r.Topic, r.Partition));
        };
        await again.StartAsync();

        Assert.Equal([("orders", 0), ("orders", 1), ("orders", 2)], hosted.Order().ToList());
        var created = await again.Controller.CreateTopicsAsync([new CreatableTopic("later", 1)]);
        Assert.Contains(("later", 0), hosted);
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_through_the_raft_log_have_exactly_one_winner()
    {
        await using var quorum = await StartAsync();
        var attempts = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => quorum.Controller.CreateTopicsAsync([new CreatableTopic("race", 1)])))
            .ToList();
        var results = (await Task.WhenAll(attempts)).Select(r => Assert.Single(r)).ToList();

        var winner = Assert.Single(results, r => r.ErrorCode == ErrorCode.None);
        Assert.Equal(7, results.Count(r => r.ErrorCode == ErrorCode.TopicAlreadyExists));
        Assert.Equal(winner.TopicId, quorum.Image.GetTopic("race")!.Id);
    }
}
