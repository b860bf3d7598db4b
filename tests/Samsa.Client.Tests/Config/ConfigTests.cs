using Samsa.Client;

namespace Samsa.Client.Tests.Config;

public class ConfigTests
{
    [Fact]
    public void Producer_defaults_are_kafkas()
    {
        var c = new ProducerConfig();
        Assert.Equal(Acks.All, c.Acks);
        Assert.True(c.EnableIdempotence);
        Assert.Equal(int.MaxValue, c.Retries);
        Assert.Equal(120000, c.DeliveryTimeoutMs);
        Assert.Equal(16384, c.BatchSize);
        Assert.Equal(33554432, c.BufferMemory);
        Assert.Equal(60000, c.MaxBlockMs);
        Assert.Equal(5, c.MaxInFlightRequestsPerConnection);
        Assert.Equal(CompressionType.None, c.CompressionType);
        Assert.Equal(30000, c.RequestTimeoutMs);
        Assert.Equal(300000, c.MetadataMaxAgeMs);
    }

    [Fact]
    public void Consumer_defaults_are_kafkas()
    {
        var c = new ConsumerConfig();
        Assert.Equal(45000, c.SessionTimeoutMs);
        Assert.Equal(3000, c.HeartbeatIntervalMs);
        Assert.Equal(300000, c.MaxPollIntervalMs);
        Assert.Equal(500, c.MaxPollRecords);
        Assert.True(c.EnableAutoCommit);
        Assert.Equal(AutoOffsetReset.Latest, c.AutoOffsetReset);
        Assert.Equal(["range", "cooperative-sticky"], c.PartitionAssignmentStrategy);
        Assert.Equal(52428800, c.FetchMaxBytes);
        Assert.Equal(1048576, c.MaxPartitionFetchBytes);
        Assert.Equal(500, c.FetchMaxWaitMs);
    }

    [Fact]
    public void Kafka_properties_apply_by_kafka_name_and_property_name()
    {
        var c = new ProducerConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "localhost:9092",
            ["acks"] = "1",
            ["enable.idempotence"] = "false",
            ["LingerMs"] = "20",
            ["compression.type"] = "zstd",
            ["key.serializer"] = "org.apache.kafka.common.serialization.StringSerializer",
        });
        Assert.Equal("localhost:9092", c.BootstrapServers);
        Assert.Equal(Acks.Leader, c.Acks);
        Assert.False(c.EnableIdempotence);
        Assert.Equal(20, c.LingerMs);
        Assert.Equal(CompressionType.Zstd, c.CompressionType);
        Assert.Empty(c.UnknownKeys);
        c.Validate();
    }

    [Fact]
    public void Unknown_keys_are_collected_not_fatal()
    {
        var c = new ConsumerConfig(new Dictionary<string, string> { ["bootstrap.servers"] = "h:1", ["no.such.key"] = "x" });
        Assert.Equal(["no.such.key"], c.UnknownKeys);
    }

    [Theory]
    [InlineData("acks", "2")]
    [InlineData("batch.size", "big")]
    [InlineData("linger.ms", "-1")]
    [InlineData("compression.type", "brotli")]
    [InlineData("enable.idempotence", "yes")]
    [InlineData("security.protocol", "SSL")]
    public void Bad_producer_values_name_the_key(string key, string value)
    {
        var c = new ProducerConfig();
        var e = Assert.Throws<KafkaConfigException>(() => c.Set(key, value));
        Assert.Equal(key, e.Key);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto.offset.reset", "beginning")]
    [InlineData("partition.assignment.strategy", "range,bogus")]
    [InlineData("isolation.level", "serializable")]
    [InlineData("max.poll.records", "0")]
    public void Bad_consumer_values_name_the_key(string key, string value)
    {
        var e = Assert.Throws<KafkaConfigException>(() => new ConsumerConfig().Set(key, value));
        Assert.Equal(key, e.Key);
    }

    [Fact]
    public void Assignment_strategy_accepts_java_class_names()
    {
        var c = new ConsumerConfig { BootstrapServers = "h:1" };
        c.Set("partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor, org.apache.kafka.clients.consumer.RoundRobinAssignor");
        Assert.Equal(2, c.PartitionAssignmentStrategy.Count);
        c.Validate();
    }

    [Fact]
    public void Validate_checks_cross_setting_rules()
    {
        Assert.Equal("bootstrap.servers", Assert.Throws<KafkaConfigException>(() => new ProducerConfig().Validate()).Key);
        var idempotentAcks1 = new ProducerConfig { BootstrapServers = "h:1", Acks = Acks.Leader };
        Assert.Equal("acks", Assert.Throws<KafkaConfigException>(idempotentAcks1.Validate).Key);
        var badServer = new AdminConfig { BootstrapServers = "nohostport" };
        Assert.Equal("bootstrap.servers", Assert.Throws<KafkaConfigException>(badServer.Validate).Key);
        var heartbeat = new ConsumerConfig { BootstrapServers = "h:1", HeartbeatIntervalMs = 50000 };
        Assert.Equal("heartbeat.interval.ms", Assert.Throws<KafkaConfigException>(heartbeat.Validate).Key);
    }

    [Fact]
    public void Configuration_section_applies_like_properties()
    {
        var section = new FakeSection(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "a:1,b:2",
            ["GroupId"] = "g",
            ["auto.offset.reset"] = "earliest",
        });
        var c = new ConsumerConfig();
        c.Apply(section);
        Assert.Equal("a:1,b:2", c.BootstrapServers);
        Assert.Equal("g", c.GroupId);
        Assert.Equal(AutoOffsetReset.Earliest, c.AutoOffsetReset);
    }

    private sealed class FakeSection(Dictionary<string, string> values) : Microsoft.Extensions.Configuration.IConfiguration
    {
        public string? this[string key] { get => values.GetValueOrDefault(key); set => throw new NotSupportedException(); }
        public IEnumerable<Microsoft.Extensions.Configuration.IConfigurationSection> GetChildren() =>
            values.Select(kv => (Microsoft.Extensions.Configuration.IConfigurationSection)new FakeChild(kv.Key, kv.Value));
        public Microsoft.Extensions.Configuration.IConfigurationSection GetSection(string key) => new FakeChild(key, values.GetValueOrDefault(key));
        public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => throw new NotSupportedException();
    }

    private sealed class FakeChild(string key, string? value) : Microsoft.Extensions.Configuration.IConfigurationSection
    {
        public string? this[string k] { get => null; set { } }
        public string Key => key;
        public string Path => key;
        public string? Value { get => value; set { } }
        public IEnumerable<Microsoft.Extensions.Configuration.IConfigurationSection> GetChildren() => [];
        public Microsoft.Extensions.Configuration.IConfigurationSection GetSection(string k) => new FakeChild(k, null);
        public Microsoft.Extensions.Primitives.IChangeToken GetReloadToken() => throw new NotSupportedException();
    }
}
