using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Metadata.Records;
using Samsa.Protocol;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Tests.Controller;

public class ConfigDescriberTests
{
    private static MetadataImage Image(params MetadataRecord[] extra)
    {
        var id = Guid.NewGuid();
        var delta = new MetadataDelta(MetadataImage.Empty);
        delta.Replay([new MetadataRecord(new TopicRecord { Name = "orders", TopicId = id }, 0), RecordFactory.NewPartition(id, 0, [1]), .. extra]);
        return delta.Apply(0);
    }

    private static DescribedConfig Describe(ConfigDescriber describer, MetadataImage image, ConfigResource resource, string key)
    {
        var result = describer.Describe(image, resource, [key]);
        Assert.Equal(ErrorCode.None, result.ErrorCode);
        return Assert.Single(result.Configs);
    }

    [Fact]
    public void Topic_config_sources_follow_kafka_precedence()
    {
        var describer = new ConfigDescriber(1, new Dictionary<string, string> { ["log.retention.hours"] = "1", ["log.segment.bytes"] = "4096" });
        var image = Image(
            RecordFactory.Config(ConfigResource.Topic("orders"), "cleanup.policy", "compact"),
            RecordFactory.Config(ConfigResource.ClusterDefault, "compression.type", "lz4"),
            RecordFactory.Config(ConfigResource.Broker(1), "log.segment.bytes", "8192"));
        var topic = ConfigResource.Topic("orders");

        var cleanup = Describe(describer, image, topic, "cleanup.policy");
        Assert.Equal(("compact", ConfigSource.DynamicTopicConfig), (cleanup.Value, cleanup.Source));

        var segment = Describe(describer, image, topic, "segment.bytes");
        Assert.Equal(("8192", ConfigSource.DynamicBrokerConfig), (segment.Value, segment.Source));
        Assert.Equal([ConfigSource.DynamicBrokerConfig, ConfigSource.StaticBrokerConfig, ConfigSource.DefaultConfig], segment.Synonyms.Select(s => s.Source));

        var compression = Describe(describer, image, topic, "compression.type");
        Assert.Equal(("lz4", ConfigSource.DynamicDefaultBrokerConfig), (compression.Value, compression.Source));

        // log.retention.hours=1 in server.properties is retention.ms=3600000.
        var retention = Describe(describer, image, topic, "retention.ms");
        Assert.Equal(("3600000", ConfigSource.StaticBrokerConfig), (retention.Value, retention.Source));
        Assert.Contains(retention.Synonyms, s => s.Name == "log.retention.hours" && s.Value == "1");

        var ratio = Describe(describer, image, topic, "min.cleanable.dirty.ratio");
        Assert.Equal(("0.5", ConfigSource.DefaultConfig), (ratio.Value, ratio.Source));
        Assert.True(ratio.IsDefault);
        Assert.False(ratio.IsReadOnly);
        Assert.Equal(ConfigType.Double, ratio.Type);
    }

    [Fact]
    public void Describing_all_topic_configs_lists_kafka_names_with_defaults()
    {
        var result = new ConfigDescriber(1).Describe(Image(), ConfigResource.Topic("orders"));
        var byName = result.Configs.ToDictionary(c => c.Name);
        Assert.Equal("604800000", byName["retention.ms"].Value);
        Assert.Equal("-1", byName["retention.bytes"].Value);
        Assert.Equal("delete", byName["cleanup.policy"].Value);
        Assert.Equal("producer", byName["compression.type"].Value);
        Assert.Equal("1", byName["min.insync.replicas"].Value);
        Assert.Equal("1073741824", byName["segment.bytes"].Value);
        Assert.Equal("1048588", byName["max.message.bytes"].Value);
        Assert.Equal("CreateTime", byName["message.timestamp.type"].Value);
        Assert.Equal("86400000", byName["delete.retention.ms"].Value);
    }

    [Fact]
    public void Broker_configs_show_static_and_dynamic_sources_and_read_only_keys()
    {
        var describer = new ConfigDescriber(1, new Dictionary<string, string> { ["num.partitions"] = "4", ["custom.key"] = "x" });
        var image = Image(RecordFactory.Config(ConfigResource.Broker(1), "log.retention.ms", "5000"));
        var broker = ConfigResource.Broker(1);

        var partitions = Describe(describer, image, broker, "num.partitions");
        Assert.Equal(("4", ConfigSource.StaticBrokerConfig, true), (partitions.Value, partitions.Source, partitions.IsReadOnly));
        var retention = Describe(describer, image, broker, "log.retention.ms");
        Assert.Equal(("5000", ConfigSource.DynamicBrokerConfig, false), (retention.Value, retention.Source, retention.IsReadOnly));
        Assert.Equal("x", Describe(describer, image, broker, "custom.key").Value);
    }

    [Fact]
    public void Unknown_resources_get_their_error_codes()
    {
        var describer = new ConfigDescriber(1);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, describer.Describe(Image(), ConfigResource.Topic("nope")).ErrorCode);
        Assert.Equal(ErrorCode.InvalidRequest, describer.Describe(Image(), ConfigResource.Broker(2)).ErrorCode);
        Assert.Equal(ErrorCode.InvalidRequest, describer.Describe(Image(), new ConfigResource(ConfigResourceType.Broker, "abc")).ErrorCode);
    }

    [Fact]
    public void Resolve_topic_config_gives_every_effective_value()
    {
        var image = Image(RecordFactory.Config(ConfigResource.Topic("orders"), "segment.bytes", "1024"));
        var config = new ConfigDescriber(1).ResolveTopicConfig(image, "orders");
        Assert.Equal("1024", config["segment.bytes"]);
        Assert.Equal("604800000", config["retention.ms"]);
    }

    [Fact]
    public void A_topic_to_be_created_is_described_with_its_own_configs_first()
    {
        var configs = new ConfigDescriber(1).DescribeNewTopic(Image(), new Dictionary<string, string?> { ["retention.ms"] = " 5 " });
        var byName = configs.ToDictionary(c => c.Name);
        Assert.Equal(("5", ConfigSource.DynamicTopicConfig), (byName["retention.ms"].Value, byName["retention.ms"].Source));
        Assert.Equal(ConfigSource.DefaultConfig, byName["segment.bytes"].Source);
    }
}
