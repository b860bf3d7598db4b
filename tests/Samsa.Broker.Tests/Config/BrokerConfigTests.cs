using Samsa.Broker.Config;

namespace Samsa.Broker.Tests.Config;

public class BrokerConfigTests
{
    private static Dictionary<string, string> Minimal() => new()
    {
        ["process.roles"] = "broker,controller",
        ["node.id"] = "1",
        ["controller.quorum.voters"] = "1@localhost:9093",
        ["listeners"] = "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
        ["controller.listener.names"] = "CONTROLLER",
        ["log.dirs"] = "/tmp/samsa-config-test",
    };

    private static BrokerConfig Create(Action<Dictionary<string, string>>? edit = null, Dictionary<string, string>? overrides = null)
    {
        var props = Minimal();
        edit?.Invoke(props);
        return BrokerConfig.Create(props, overrides);
    }

    [Fact]
    public void Kafka_defaults_apply_to_keys_not_given()
    {
        var c = Create();
        Assert.Equal(1, c.NumPartitions);
        Assert.Equal(1, c.DefaultReplicationFactor);
        Assert.True(c.AutoCreateTopicsEnable);
        Assert.Equal(168L * 3_600_000, c.LogRetentionMs);
        Assert.Equal(-1, c.LogRetentionBytes);
        Assert.Equal(1073741824, c.LogSegmentBytes);
        Assert.Equal(1048588, c.MessageMaxBytes);
        Assert.Equal(104857600, c.SocketRequestMaxBytes);
        Assert.Equal("producer", c.CompressionType);
        Assert.Equal(int.MaxValue, c.MaxConnections);
        Assert.Equal(50, c.OffsetsTopicNumPartitions);
        Assert.Equal((short)3, c.OffsetsTopicReplicationFactor);
        Assert.Equal(3000, c.GroupInitialRebalanceDelayMs);
        Assert.Equal(1, c.MinInsyncReplicas);
        Assert.Null(c.BrokerRack);
        Assert.Equal(ConfigValueSource.Default, c.SourceOf("num.partitions"));
    }

    [Fact]
    public void Roles_listeners_and_voters_are_typed()
    {
        var c = Create();
        Assert.True(c.IsBroker);
        Assert.True(c.IsController);
        Assert.Equal(1, c.NodeId);
        var broker = Assert.Single(c.BrokerListeners);
        Assert.Equal(new ListenerEndpoint("PLAINTEXT", "localhost", 9092, "PLAINTEXT"), broker);
        Assert.Equal("CONTROLLER", Assert.Single(c.ControllerListeners).Name);
        Assert.Equal(broker, Assert.Single(c.AdvertisedListeners));
        Assert.Equal(new QuorumVoter(1, "localhost", 9093), Assert.Single(c.ControllerQuorumVoters));
        Assert.Equal("PLAINTEXT", c.InterBrokerListenerName);
        Assert.Equal(["/tmp/samsa-config-test"], c.LogDirs);
        Assert.Equal("/tmp/samsa-config-test", c.MetadataLogDir);
    }

    [Fact]
    public void Overrides_win_over_the_file_and_are_marked()
    {
        var c = Create(p => p["num.partitions"] = "3", new() { ["num.partitions"] = "7" });
        Assert.Equal(7, c.NumPartitions);
        Assert.Equal(ConfigValueSource.Override, c.SourceOf("num.partitions"));
        Assert.Equal(ConfigValueSource.File, c.SourceOf("node.id"));
    }

    [Fact]
    public void Retention_ms_wins_over_minutes_which_wins_over_hours()
    {
        Assert.Equal(2 * 3_600_000L, Create(p => p["log.retention.hours"] = "2").LogRetentionMs);
        Assert.Equal(5 * 60_000L, Create(p => { p["log.retention.hours"] = "2"; p["log.retention.minutes"] = "5"; }).LogRetentionMs);
        Assert.Equal(1234L, Create(p => { p["log.retention.minutes"] = "5"; p["log.retention.ms"] = "1234"; }).LogRetentionMs);
        Assert.Equal(-1L, Create(p => p["log.retention.ms"] = "-1").LogRetentionMs);
    }

    [Fact]
    public void Unknown_keys_are_collected_not_rejected()
    {
        var c = Create(p => { p["zookeeper.connect"] = "x"; p["foo.bar"] = "1"; });
        Assert.Equal(["foo.bar", "zookeeper.connect"], c.UnknownKeys);
    }

    [Fact]
    public void Kafkas_own_kraft_server_properties_loads_without_unknown_keys()
    {
        const string kafkaSample = """
            process.roles=broker,controller
            node.id=1
            controller.quorum.bootstrap.servers=localhost:9093
            listeners=PLAINTEXT://:9092,CONTROLLER://:9093
            inter.broker.listener.name=PLAINTEXT
            advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093
            controller.listener.names=CONTROLLER
            listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
            num.network.threads=3
            num.io.threads=8
            socket.send.buffer.bytes=102400
            socket.receive.buffer.bytes=102400
            socket.request.max.bytes=104857600
            log.dirs=/tmp/kraft-combined-logs
            num.partitions=1
            num.recovery.threads.per.data.dir=1
            offsets.topic.replication.factor=1
            share.coordinator.state.topic.replication.factor=1
            share.coordinator.state.topic.min.isr=1
            transaction.state.log.replication.factor=1
            transaction.state.log.min.isr=1
            log.retention.hours=168
            log.segment.bytes=1073741824
            log.retention.check.interval.ms=300000
            """;
        var c = BrokerConfig.Create(PropertiesFile.Parse(kafkaSample));
        Assert.Empty(c.UnknownKeys);
        Assert.Equal("localhost", Assert.Single(c.AdvertisedListeners).Host);
        Assert.Equal(("localhost", 9093), Assert.Single(c.ControllerQuorumBootstrapServers));
    }

    [Theory]
    [InlineData("num.partitions", "abc", "not a 32-bit integer")]
    [InlineData("num.partitions", "0", "at least 1")]
    [InlineData("auto.create.topics.enable", "yes", "true or false")]
    [InlineData("compression.type", "brotli", "must be one of")]
    [InlineData("log.retention.ms", "1.5", "64-bit integer")]
    [InlineData("listeners", "PLAINTEXT:9092", "NAME://host:port")]
    [InlineData("listeners", "PLAINTEXT://:99999,CONTROLLER://:9093", "port")]
    [InlineData("listeners", "SSL://:9094,CONTROLLER://:9093", "not supported")]
    [InlineData("listeners", "FOO://:9094,CONTROLLER://:9093", "listener.security.protocol.map")]
    [InlineData("listeners", "PLAINTEXT://:9092", "controller")]
    [InlineData("process.roles", "broker,router", "router")]
    [InlineData("controller.quorum.voters", "2@localhost:9093", "must be one of the voters")]
    [InlineData("controller.quorum.voters", "localhost:9093", "id@host:port")]
    [InlineData("http.listeners", "https://localhost:1", "http://host:port")]
    public void A_bad_value_names_the_key_the_value_and_why(string key, string value, string reason)
    {
        var e = Assert.Throws<ConfigException>(() => Create(p => p[key] = value));
        Assert.Contains(key, e.Message);
        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Missing_required_keys_are_named()
    {
        var e = Assert.Throws<ConfigException>(() => Create(p => p.Remove("process.roles")));
        Assert.Contains("process.roles", e.Message);
        e = Assert.Throws<ConfigException>(() => Create(p => p.Remove("node.id")));
        Assert.Contains("node.id", e.Message);
    }

    [Fact]
    public void Advertised_listeners_default_to_the_broker_listeners_and_never_list_controllers()
    {
        var c = Create(p => p["advertised.listeners"] = "PLAINTEXT://broker1.example:9092,CONTROLLER://localhost:9093");
        Assert.Equal("broker1.example", Assert.Single(c.AdvertisedListeners).Host);
    }

    [Fact]
    public void Log_dir_is_used_when_log_dirs_is_absent()
    {
        var c = Create(p => { p.Remove("log.dirs"); p["log.dir"] = "/tmp/one"; });
        Assert.Equal(["/tmp/one"], c.LogDirs);
        Assert.Equal(["/tmp/kafka-logs"], Create(p => p.Remove("log.dirs")).LogDirs);
    }

    [Fact]
    public void Broker_only_node_may_not_bind_a_controller_listener()
    {
        var e = Assert.Throws<ConfigException>(() => Create(p => p["process.roles"] = "broker"));
        Assert.Contains("broker-only", e.Message);
        var c = Create(p => { p["process.roles"] = "broker"; p["listeners"] = "PLAINTEXT://:9092"; });
        Assert.False(c.IsController);
    }
}
