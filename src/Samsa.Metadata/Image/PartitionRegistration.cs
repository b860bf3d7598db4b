using System.Collections.Immutable;

namespace Samsa.Metadata.Image;

/// <summary>The state of one partition in the image (immutable).</summary>
public sealed record PartitionRegistration(
    ImmutableArray<int> Replicas,
    ImmutableArray<int> Isr,
    ImmutableArray<int> RemovingReplicas,
    ImmutableArray<int> AddingReplicas,
    int Leader,
    int LeaderEpoch,
    int PartitionEpoch,
    sbyte LeaderRecoveryState)
{
    /// <summary>No leader (Kafka's -1).</summary>
    public const int NoLeader = -1;

    public bool HasLeader => Leader >= 0;

    public bool IsReplica(int brokerId) => Replicas.Contains(brokerId);
}

/// <summary>A topic in the image: its name, id and partitions (immutable).</summary>
public sealed record TopicImage(string Name, Guid Id, ImmutableSortedDictionary<int, PartitionRegistration> Partitions)
{
    public int PartitionCount => Partitions.Count;

    /// <summary>Kafka's internal topics (hidden from some listings, e.g. <c>__consumer_offsets</c>).</summary>
    public bool IsInternal => Name is "__consumer_offsets" or "__transaction_state";
}
