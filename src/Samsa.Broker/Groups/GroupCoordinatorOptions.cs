namespace Samsa.Broker.Groups;

/// <summary>The group coordinator's settings, with Kafka's broker config names and defaults.</summary>
public sealed record GroupCoordinatorOptions
{
    /// <summary>offsets.topic.num.partitions</summary>
    public int OffsetsTopicNumPartitions { get; init; } = 50;

    /// <summary>group.min.session.timeout.ms</summary>
    public int GroupMinSessionTimeoutMs { get; init; } = 6000;

    /// <summary>group.max.session.timeout.ms</summary>
    public int GroupMaxSessionTimeoutMs { get; init; } = 1_800_000;

    /// <summary>group.initial.rebalance.delay.ms</summary>
    public int GroupInitialRebalanceDelayMs { get; init; } = 3000;

    /// <summary>group.max.size</summary>
    public int GroupMaxSize { get; init; } = int.MaxValue;

    /// <summary>offsets.retention.minutes, in ms.</summary>
    public long OffsetsRetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>offsets.retention.check.interval.ms</summary>
    public long OffsetsRetentionCheckIntervalMs { get; init; } = 600_000;

    /// <summary>offset.metadata.max.bytes</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4096;

    /// <summary>How long a member that joined for the first time may wait for its rebalance to
    /// finish without heartbeating (Kafka's fixed five minutes).</summary>
    public int NewMemberJoinTimeoutMs { get; init; } = 300_000;
}
