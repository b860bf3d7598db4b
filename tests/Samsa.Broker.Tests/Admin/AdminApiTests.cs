using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.Admin;

/// <summary>
/// The admin APIs (CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
/// IncrementalAlterConfigs, AlterConfigs, DescribeCluster) driven by real clients against a real
/// broker process: Confluent.Kafka's AdminClient and kafka-python's KafkaAdminClient.
/// </summary>
public sealed class AdminApiTests : IAsyncLifetime
{
    private static readonly ConfigSource[] BrokerLevelSources = [ConfigSource.StaticBrokerConfig, ConfigSource.DefaultConfig];

    private SamsaProcess _node = null!;
    private IAdminClient _admin = null!;

    public async Task InitializeAsync()
    {
        _node = await SamsaProcess.StartAsync();
        _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _node.BootstrapServers }).Build();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task CreateTopics_mixed_valid_and_invalid_creates_the_valid_ones_and_reports_each_error()
    {
        var ex = await Assert.ThrowsAsync<CreateTopicsException>(() => _admin.CreateTopicsAsync(
        [
            new TopicSpecification { Name = "orders", NumPartitions = 3, ReplicationFactor = 1 },
            new TopicSpecification { Name = "bad/name", NumPartitions = 1, ReplicationFactor = 1 },
            new TopicSpecification { Name = "too-replicated", NumPartitions = 1, ReplicationFactor = 3 },
            new TopicSpecification { Name = "bad-config", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "soon" } },
        ]));
        var byName = ex.Results.ToDictionary(r => r.Topic, r => r.Error.Code);
        Assert.Equal(ErrorCode.NoError, byName["orders"]);
        Assert.Equal(ErrorCode.TopicException, byName["bad/name"]);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, byName["too-replicated"]);
        Assert.Equal(ErrorCode.InvalidConfig, byName["bad-config"]);

        // The created topic is in Metadata right after the reply; the others are not.
        Confluent.Kafka.Metadata md = _admin.GetMetadata(TimeSpan.FromSeconds(10));
        TopicMetadata orders = Assert.Single(md.Topics, t => t.Topic == "orders");
        Assert.Equal(3, orders.Partitions.Count);
        Assert.All(orders.Partitions, p => Assert.Equal(1, p.Leader));
        Assert.DoesNotContain(md.Topics, t => t.Topic is "bad/name" or "too-replicated" or "bad-config");

        var again = await Assert.ThrowsAsync<CreateTopicsException>(() => _admin.CreateTopicsAsync(
            [new TopicSpecification { Name = "orders", NumPartitions = 1, ReplicationFactor = 1 }]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, again.Results[0].Error.Code);
    }

    [Fact]
    public async Task CreateTopics_validate_only_creates_nothing()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "dry", NumPartitions = 2, ReplicationFactor = 1 }],
            new CreateTopicsOptions { ValidateOnly = true });
        Confluent.Kafka.Metadata md = _admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(md.Topics, t => t.Topic == "dry" && t.Error.Code == ErrorCode.NoError);
    }

    [Fact]
    public async Task CreatePartitions_grows_a_topic_and_refuses_to_shrink_it()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "grow", NumPartitions = 1, ReplicationFactor = 1 }]);
        await _admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "grow", IncreaseTo = 4 }]);
        Assert.Equal(4, TopicPartitionCount("grow"));

        var ex = await Assert.ThrowsAsync<CreatePartitionsException>(() =>
            _admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "grow", IncreaseTo = 2 }]));
        Assert.Equal(ErrorCode.InvalidPartitions, Assert.Single(ex.Results).Error.Code);

        var unknown = await Assert.ThrowsAsync<CreatePartitionsException>(() =>
            _admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "no-such-topic", IncreaseTo = 2 }]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(unknown.Results).Error.Code);
    }

    [Fact]
    public async Task Topic_configs_describe_with_sources_and_alter_incrementally()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = "configured", NumPartitions = 1, ReplicationFactor = 1, Configs = new() { ["cleanup.policy"] = "compact" },
        }]);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "configured" };

        DescribeConfigsResult described = Assert.Single(await _admin.DescribeConfigsAsync([resource]));
        Assert.Equal("604800000", described.Entries["retention.ms"].Value);
        // No topic override: the broker's value (log.retention.* in its config, or the built-in default).
        Assert.Contains(described.Entries["retention.ms"].Source, BrokerLevelSources);
        Assert.Equal("compact", described.Entries["cleanup.policy"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, described.Entries["cleanup.policy"].Source);

        await _admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "retention.ms", Value = "3600000", IncrementalOperation = AlterConfigOpType.Set }],
        });
        described = Assert.Single(await _admin.DescribeConfigsAsync([resource]));
        Assert.Equal("3600000", described.Entries["retention.ms"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, described.Entries["retention.ms"].Source);

        await _admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "retention.ms", IncrementalOperation = AlterConfigOpType.Delete }],
        });
        described = Assert.Single(await _admin.DescribeConfigsAsync([resource]));
        Assert.Equal("604800000", described.Entries["retention.ms"].Value);
        Assert.Contains(described.Entries["retention.ms"].Source, BrokerLevelSources);

        var bad = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => _admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "retention.ms", Value = "never", IncrementalOperation = AlterConfigOpType.Set }],
        }));
        Assert.Equal(ErrorCode.InvalidConfig, Assert.Single(bad.Results).Error.Code);
    }

    [Fact]
    public async Task Broker_configs_describe_with_static_and_default_sources()
    {
        var resource = new ConfigResource { Type = ResourceType.Broker, Name = "1" };
        DescribeConfigsResult described = Assert.Single(await _admin.DescribeConfigsAsync([resource]));
        Assert.True(described.Entries.ContainsKey("num.partitions"));
        Assert.Equal("1", described.Entries["num.partitions"].Value);
        Assert.Contains(described.Entries["log.dirs"].Source, BrokerLevelSources);
    }

    [Fact]
    public async Task DeleteTopics_removes_the_topic_and_reports_unknown_ones()
    {
        await _admin.CreateTopicsAsync([new TopicSpecification { Name = "doomed", NumPartitions = 2, ReplicationFactor = 1 }]);
        await _admin.DeleteTopicsAsync(["doomed"]);
        Confluent.Kafka.Metadata md = _admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(md.Topics, t => t.Topic == "doomed" && t.Error.Code == ErrorCode.NoError);

        var ex = await Assert.ThrowsAsync<DeleteTopicsException>(() => _admin.DeleteTopicsAsync(["never-existed"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(ex.Results).Error.Code);
    }

    [Fact]
    public async Task DescribeCluster_answers_the_cluster_id_controller_and_this_broker()
    {
        DescribeClusterResult cluster = await _admin.DescribeClusterAsync();
        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
        Assert.Equal(1, cluster.Controller.Id);
        Node node = Assert.Single(cluster.Nodes);
        Assert.Equal(1, node.Id);
        Assert.Equal(_node.Port, node.Port);
    }

    [Fact]
    public async Task KafkaPython_admin_client_creates_and_lists_a_topic()
    {
        const string script = """
            import sys
            from kafka.admin import KafkaAdminClient, NewTopic
            admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=20000)
            admin.create_topics([NewTopic(name="from-python", num_partitions=2, replication_factor=1)])
            print("topics:", ",".join(sorted(admin.list_topics())))
            admin.close()
            """;
        (int exit, string output) = await RunPythonAsync(script, _node.BootstrapServers);
        Assert.True(exit == 0, output);
        Assert.Contains("from-python", output);
        Assert.Equal(2, TopicPartitionCount("from-python"));
    }

    private int TopicPartitionCount(string topic) =>
        _admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single(t => t.Topic == topic).Partitions.Count;

    private static async Task<(int ExitCode, string Output)> RunPythonAsync(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        CliResult r = await ProcessRunner.RunAsync(psi, TimeSpan.FromSeconds(60));
        return (r.ExitCode, r.Output);
    }
}
