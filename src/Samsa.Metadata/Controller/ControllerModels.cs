using Samsa.Metadata.Image;
using Samsa.Protocol;

namespace Samsa.Metadata.Controller;

/// <summary>A topic to create (CreateTopics). -1 partitions / replication factor mean the broker defaults.</summary>
public sealed record CreatableTopic(
    string Name,
    int NumPartitions = -1,
    short ReplicationFactor = -1,
    IReadOnlyDictionary<int, IReadOnlyList<int>>? Assignments = null,
    IReadOnlyDictionary<string, string?>? Configs = null);

/// <summary>The outcome for one topic of CreateTopics.</summary>
public sealed record CreateTopicResult(
    string Name,
    ErrorCode ErrorCode,
    string? ErrorMessage,
    Guid TopicId = default,
    int NumPartitions = -1,
    short ReplicationFactor = -1);

/// <summary>A topic named by name or by id (DeleteTopics v6+ takes either).</summary>
public readonly record struct TopicRef(string? Name, Guid Id)
{
    public static TopicRef ByName(string name) => new(name, Guid.Empty);

    public static TopicRef ById(Guid id) => new(null, id);
}

/// <summary>The outcome for one topic of DeleteTopics.</summary>
public sealed record DeleteTopicResult(string? Name, Guid TopicId, ErrorCode ErrorCode, string? ErrorMessage);

/// <summary>Grow a topic to <see cref="Count"/> partitions, optionally with the replicas of each new partition.</summary>
public sealed record CreatePartitionsTopic(string Name, int Count, IReadOnlyList<IReadOnlyList<int>>? Assignments = null);

public sealed record CreatePartitionsResult(string Name, ErrorCode ErrorCode, string? ErrorMessage);

/// <summary>IncrementalAlterConfigs operations (the int8 on the wire).</summary>
public enum AlterConfigOp : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

public sealed record AlterableConfig(string Name, AlterConfigOp Op, string? Value);

/// <summary>One resource of IncrementalAlterConfigs.</summary>
public sealed record IncrementalAlterConfigsResource(ConfigResource Resource, IReadOnlyList<AlterableConfig> Configs);

/// <summary>One resource of the legacy AlterConfigs: the given keys become the whole dynamic config.</summary>
public sealed record AlterConfigsResource(ConfigResource Resource, IReadOnlyDictionary<string, string?> Configs);

public sealed record AlterConfigsResult(ConfigResource Resource, ErrorCode ErrorCode, string? ErrorMessage);

/// <summary>A broker's registration request (sent by the broker itself at start).</summary>
public sealed record BrokerRegistrationRequest(
    int BrokerId,
    Guid IncarnationId,
    IReadOnlyList<BrokerEndpoint> Listeners,
    string? Rack = null);

/// <summary>A block of producer ids [<see cref="FirstProducerId"/>, <see cref="FirstProducerId"/> + <see cref="Size"/>).</summary>
public readonly record struct ProducerIdBlock(int AssignedBrokerId, long FirstProducerId, int Size)
{
    /// <summary>Kafka's block size.</summary>
    public const int DefaultSize = 1000;

    public long LastProducerId => FirstProducerId + Size - 1;

    public long NextBlockFirstId => FirstProducerId + Size;
}
