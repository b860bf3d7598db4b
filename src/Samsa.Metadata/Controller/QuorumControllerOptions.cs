namespace Samsa.Metadata.Controller;

/// <summary>Settings of <see cref="QuorumController"/> (Kafka's names where there is one).</summary>
public sealed class QuorumControllerOptions
{
    /// <summary><c>node.id</c>.</summary>
    public int NodeId { get; init; } = 1;

    /// <summary><c>num.partitions</c>: partitions of a topic created with -1.</summary>
    public int DefaultNumPartitions { get; init; } = 1;

    /// <summary><c>default.replication.factor</c>: replication factor of a topic created with -1.</summary>
    public short DefaultReplicationFactor { get; init; } = 1;

    /// <summary><c>delete.topic.enable</c>.</summary>
    public bool DeleteTopicEnable { get; init; } = true;

    /// <summary>Values from server.properties, for config descriptions and list appends.</summary>
    public IReadOnlyDictionary<string, string>? StaticBrokerConfig { get; init; }

    /// <summary>Source of randomness for topic ids and placement (tests pass a seeded one).</summary>
    public Random? Random { get; init; }
}
