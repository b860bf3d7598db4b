using Samsa.Client.Network;
using Samsa.Protocol;

namespace Samsa.Client;

/// <summary>A topic to create; replication factor and partitions -1 mean the broker's defaults.</summary>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1)
{
    public IDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();
}

/// <summary>One entity's outcome in a multi-entity admin call (topic, group, partition, resource).</summary>
public sealed record AdminResult(string Name, ErrorCode Error, string? ErrorMessage = null)
{
    public bool IsSuccess => Error == ErrorCode.None;
}

/// <summary>Thrown when some entities of an admin call failed; <see cref="Results"/> has every outcome.</summary>
public sealed class AdminException : KafkaException
{
    public AdminException(string operation, IReadOnlyList<AdminResult> results)
        : base(FirstError(results), $"{operation} failed for " +
            string.Join(", ", results.Where(r => !r.IsSuccess).Select(r => $"{r.Name}: {r.Error}{(r.ErrorMessage is null ? "" : $" ({r.ErrorMessage})")}")))
    {
        Results = results;
    }

    public IReadOnlyList<AdminResult> Results { get; }

    private static ErrorCode FirstError(IReadOnlyList<AdminResult> results)
    {
        foreach (var r in results)
        {
            if (!r.IsSuccess) return r.Error;
        }
        return ErrorCode.None;
    }
}

/// <summary>The cluster as DescribeCluster/Metadata report it.</summary>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerInfo> Brokers);

/// <summary>A topic with its partitions (leaders, replicas, ISR).</summary>
public sealed record TopicDescription(string Name, Guid TopicId, bool IsInternal, IReadOnlyList<PartitionInfo> Partitions);

/// <summary>Kafka's config resource types.</summary>
public enum ConfigResourceType : sbyte
{
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
    ClientMetrics = 16,
    Group = 32,
}

public readonly record struct ConfigResource(ConfigResourceType Type, string Name);

/// <summary>One config entry as described by the broker.</summary>
public sealed record ConfigEntry(string Name, string? Value, bool IsReadOnly, bool IsDefault, bool IsSensitive, sbyte Source);

/// <summary>incrementalAlterConfigs operations.</summary>
public enum AlterConfigOpType : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}

public sealed record AlterConfigOp(string Name, string? Value, AlterConfigOpType Op = AlterConfigOpType.Set);

/// <summary>A consumer group as ListGroups reports it.</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, string? State, int CoordinatorId);

/// <summary>A member of a described group, with its decoded assignment (consumer groups).</summary>
public sealed record GroupMemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost,
    IReadOnlyList<TopicPartition> Assignment);

/// <summary>A group as DescribeGroups reports it.</summary>
public sealed record GroupDescription(string GroupId, ErrorCode Error, string State, string ProtocolType, string Protocol,
    IReadOnlyList<GroupMemberDescription> Members, int CoordinatorId);

/// <summary>What ListOffsets asks per partition: a timestamp, or <see cref="Earliest"/> / <see cref="Latest"/>.</summary>
public readonly record struct OffsetSpec(long Timestamp)
{
    public static OffsetSpec Earliest => new(-2);
    public static OffsetSpec Latest => new(-1);
    public static OffsetSpec MaxTimestamp => new(-3);
    public static OffsetSpec ForTimestamp(DateTimeOffset time) => new(time.ToUnixTimeMilliseconds());
}

/// <summary>ListOffsets' answer for one partition.</summary>
public sealed record ListOffsetsResultInfo(long Offset, long Timestamp, int LeaderEpoch);
