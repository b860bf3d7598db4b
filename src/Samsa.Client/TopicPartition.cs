namespace Samsa.Client;

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <summary>Topic by ordinal comparison, then partition: the order Kafka's assignors use.</summary>
    public static IComparer<TopicPartition> Comparer { get; } = Comparer<TopicPartition>.Create(static (a, b) =>
    {
        var byTopic = string.CompareOrdinal(a.Topic, b.Topic);
        return byTopic != 0 ? byTopic : a.Partition.CompareTo(b.Partition);
    });

    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>A partition with an offset (and the metadata string stored with a committed offset).</summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset, string? Metadata = null)
{
    public TopicPartitionOffset(TopicPartition partition, long offset, string? metadata = null)
        : this(partition.Topic, partition.Partition, offset, metadata) { }

    public TopicPartition TopicPartition => new(Topic, Partition);

    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
