namespace Samsa.Client;

/// <summary>Whether a record's timestamp was set by the producer or by the broker on append.</summary>
public enum TimestampType
{
    CreateTime,
    LogAppendTime,
}

/// <summary>One consumed record.</summary>
public sealed class ConsumeResult<TKey, TValue>
{
    public required string Topic { get; init; }
    public required int Partition { get; init; }
    public required long Offset { get; init; }
    public int LeaderEpoch { get; init; } = -1;
    public TKey Key { get; init; } = default!;
    public TValue Value { get; init; } = default!;
    /// <summary>The record's headers; empty when it has none.</summary>
    public Headers Headers { get; init; } = Empty;
    public DateTimeOffset Timestamp { get; init; }
    public TimestampType TimestampType { get; init; }

    public TopicPartition TopicPartition => new(Topic, Partition);
    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);

    private static readonly Headers Empty = new();
}

/// <summary>
/// Called on the polling thread during a rebalance. Revoked: commit what was processed (the
/// partitions are still owned). Assigned: initialise state, maybe seek. Lost: the partitions
/// were taken away already (session expired), so committing for them would fail.
/// </summary>
public interface IConsumerRebalanceListener
{
    void OnPartitionsRevoked(IReadOnlyCollection<TopicPartition> partitions);
    void OnPartitionsAssigned(IReadOnlyCollection<TopicPartition> partitions);
    void OnPartitionsLost(IReadOnlyCollection<TopicPartition> partitions) => OnPartitionsRevoked(partitions);
}
