using System.Collections.Immutable;
using Samsa.Metadata.Image;
using Samsa.Metadata.Records;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Tests.Image;

public class MetadataDeltaTests
{
    private static readonly Guid OrdersId = Guid.Parse("0f3c2a9e-4b1d-4c6e-9a7b-2d5e8f1a3b4c");

    internal static MetadataRecord Broker(int id, bool fenced = false) => RecordFactory.RegisterBroker(new BrokerRegistration(
        id, 10 + id, Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9090 + id, 0)], null, fenced, false,
        ImmutableDictionary<string, (short, short)>.Empty));

    private static MetadataImage Apply(MetadataImage image, long offset, params MetadataRecord[] records)
    {
        var delta = new MetadataDelta(image);
        delta.Replay(records);
        return delta.Apply(offset);
    }

    private static MetadataImage WithOrders() => Apply(MetadataImage.Empty, 0,
        Broker(1), Broker(2),
        new MetadataRecord(new TopicRecord { Name = "orders", TopicId = OrdersId }, 0),
        RecordFactory.NewPartition(OrdersId, 0, [1, 2]),
        RecordFactory.NewPartition(OrdersId, 1, [2, 1]),
        RecordFactory.Config(ConfigResource.Topic("orders"), "retention.ms", "1000"));

    [Fact]
    public void Topic_and_partition_records_build_topics_by_name_and_id()
    {
        var image = WithOrders();

        var topic = image.GetTopic("orders");
        Assert.NotNull(topic);
        Assert.Same(topic, image.GetTopic(OrdersId));
        Assert.Equal(2, topic.PartitionCount);
        var p1 = topic.Partitions[1];
        Assert.Equal([2, 1], p1.Replicas.ToArray());
        Assert.Equal([2, 1], p1.Isr.ToArray());
        Assert.Equal(2, p1.Leader);
        Assert.Equal(0, p1.LeaderEpoch);
        Assert.Equal(0, p1.PartitionEpoch);
        Assert.Equal("1000", image.GetConfigs(ConfigResource.Topic("orders"))["retention.ms"]);
        Assert.Equal(2, image.Brokers.Count);
        Assert.Equal(0, image.Offset);
    }

    [Fact]
    public void The_previous_image_is_not_changed_by_a_delta()
    {
        var before = WithOrders();
        var fingerprint = TestSupport.Fingerprint(before);
        var after = Apply(before, 1, new MetadataRecord(new RemoveTopicRecord { TopicId = OrdersId }, 0));

        Assert.Null(after.GetTopic("orders"));
        Assert.NotNull(before.GetTopic("orders"));
        Assert.Equal(fingerprint, TestSupport.Fingerprint(before));
    }

    [Fact]
    public void Partition_change_bumps_partition_epoch_and_leader_epoch_only_when_a_leader_is_named()
    {
        var image = WithOrders();
        image = Apply(image, 1, new MetadataRecord(new PartitionChangeRecord { TopicId = OrdersId, PartitionId = 0, Isr = [1] }, 0));
        var p = image.GetPartition("orders", 0)!;
        Assert.Equal([1], p.Isr.ToArray());
        Assert.Equal(1, p.Leader);
        Assert.Equal(0, p.LeaderEpoch);
        Assert.Equal(1, p.PartitionEpoch);

        image = Apply(image, 2, new MetadataRecord(new PartitionChangeRecord { TopicId = OrdersId, PartitionId = 0, Leader = 2, Isr = [2] }, 0));
        p = image.GetPartition("orders", 0)!;
        Assert.Equal(2, p.Leader);
        Assert.Equal(1, p.LeaderEpoch);
        Assert.Equal(2, p.PartitionEpoch);
    }

    [Fact]
    public void Removing_a_topic_removes_its_configs_and_reports_it_deleted()
    {
        var delta = new MetadataDelta(WithOrders());
        delta.Replay(new MetadataRecord(new RemoveTopicRecord { TopicId = OrdersId }, 0));
        var image = delta.Apply(1);

        Assert.Empty(image.TopicsById);
        Assert.Empty(image.TopicsByName);
        Assert.Empty(image.GetConfigs(ConfigResource.Topic("orders")));
        Assert.Equal("orders", delta.DeletedTopics[OrdersId].Name);
        var local = delta.GetLocalChanges(1);
        Assert.Equal(2, local.Deleted.Count);
    }

    [Fact]
    public void Local_changes_split_leaders_and_followers_of_a_broker()
    {
        var delta = new MetadataDelta(MetadataImage.Empty);
        delta.Replay([Broker(1), Broker(2),
            new MetadataRecord(new TopicRecord { Name = "orders", TopicId = OrdersId }, 0),
            RecordFactory.NewPartition(OrdersId, 0, [1, 2]),
            RecordFactory.NewPartition(OrdersId, 1, [2, 1]),
            RecordFactory.NewPartition(OrdersId, 2, [2])]);
        delta.Apply(0);

        var local = delta.GetLocalChanges(1);
        Assert.Equal([0], local.Leaders.Select(r => r.Partition));
        Assert.Equal([1], local.Followers.Select(r => r.Partition));
        Assert.Empty(local.Deleted);
        Assert.Contains(OrdersId, delta.CreatedTopicIds);
    }

    [Fact]
    public void Config_records_set_and_delete_keys()
    {
        var image = Apply(MetadataImage.Empty, 0,
            RecordFactory.Config(ConfigResource.ClusterDefault, "log.retention.ms", "5"),
            RecordFactory.Config(ConfigResource.Broker(1), "log.segment.bytes", "1024"));
        Assert.Equal("5", image.GetConfigs(ConfigResource.ClusterDefault)["log.retention.ms"]);

        image = Apply(image, 1, RecordFactory.Config(ConfigResource.ClusterDefault, "log.retention.ms", null));
        Assert.False(image.Configs.ContainsKey(ConfigResource.ClusterDefault));
        Assert.Equal("1024", image.GetConfigs(ConfigResource.Broker(1))["log.segment.bytes"]);
    }

    [Fact]
    public void Broker_fencing_features_and_producer_ids_are_tracked()
    {
        var image = Apply(MetadataImage.Empty, 0, Broker(1),
            new MetadataRecord(new FeatureLevelRecord { Name = "metadata.version", FeatureLevel = 21 }, 0),
            new MetadataRecord(new ProducerIdsRecord { BrokerId = 1, BrokerEpoch = 11, NextProducerId = 1000 }, 0));
        Assert.False(image.GetBroker(1)!.Fenced);
        Assert.Equal(21, image.MetadataVersion);
        Assert.Equal(1000, image.NextProducerId);

        image = Apply(image, 1, new MetadataRecord(new FenceBrokerRecord { Id = 1, Epoch = 11 }, 0));
        Assert.True(image.GetBroker(1)!.Fenced);
        Assert.Empty(image.LiveBrokers());

        var delta = new MetadataDelta(image);
        Assert.Throws<InvalidOperationException>(() => delta.Replay(
            new MetadataRecord(new ProducerIdsRecord { BrokerId = 1, NextProducerId = 500 }, 0)));
    }

    [Fact]
    public void Records_that_contradict_the_image_are_refused()
    {
        var delta = new MetadataDelta(WithOrders());
        Assert.Throws<InvalidOperationException>(() => delta.Replay(new MetadataRecord(new TopicRecord { Name = "orders", TopicId = Guid.NewGuid() }, 0)));
        Assert.Throws<InvalidOperationException>(() => delta.Replay(RecordFactory.NewPartition(Guid.NewGuid(), 0, [1])));
        Assert.Throws<InvalidOperationException>(() => delta.Replay(new MetadataRecord(new PartitionChangeRecord { TopicId = OrdersId, PartitionId = 9 }, 0)));
    }

    [Fact]
    public void An_image_written_as_records_and_replayed_is_the_same_image()
    {
        var image = Apply(WithOrders(), 1,
            new MetadataRecord(new FeatureLevelRecord { Name = "metadata.version", FeatureLevel = 21 }, 0),
            new MetadataRecord(new ProducerIdsRecord { BrokerId = 1, NextProducerId = 3000 }, 0),
            new MetadataRecord(new PartitionChangeRecord { TopicId = OrdersId, PartitionId = 1, Leader = 1 }, 0),
            RecordFactory.Config(ConfigResource.ClusterDefault, "log.retention.ms", "5"));

        var bytes = MetadataSnapshotFormat.Write(image.Offset, image.ToRecords());
        var (offset, records) = MetadataSnapshotFormat.Read(bytes);
        var rebuilt = Apply(MetadataImage.Empty, offset, [.. records]);

        Assert.Equal(TestSupport.Fingerprint(image), TestSupport.Fingerprint(rebuilt));
        Assert.Equal(image.GetPartition("orders", 1), rebuilt.GetPartition("orders", 1), new PartitionComparer());
    }

    private sealed class PartitionComparer : IEqualityComparer<PartitionRegistration?>
    {
        public bool Equals(PartitionRegistration? x, PartitionRegistration? y)
            => x is not null && y is not null && x.Replicas.SequenceEqual(y.Replicas) && x.Isr.SequenceEqual(y.Isr)
               && x.Leader == y.Leader && x.LeaderEpoch == y.LeaderEpoch && x.PartitionEpoch == y.PartitionEpoch;

        public int GetHashCode(PartitionRegistration? obj) => 0;
    }
}
