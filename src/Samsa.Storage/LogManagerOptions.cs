namespace Samsa.Storage;

/// <summary>Broker-level storage settings (Kafka's server.properties names in the docs).</summary>
public sealed class LogManagerOptions
{
    /// <summary>log.dirs entry this manager owns.</summary>
    public required string LogDir { get; init; }
    /// <summary>Topic config defaults (the broker maps log.segment.bytes etc. onto it).</summary>
    public LogConfig DefaultConfig { get; init; } = LogConfig.Default;
    /// <summary>Segment file handles open at most across all partitions (idle ones are closed first).</summary>
    public int MaxOpenFiles { get; init; } = 4096;
    /// <summary>log.retention.check.interval.ms.</summary>
    public long RetentionCheckIntervalMs { get; init; } = 300_000;
    /// <summary>log.flush.offset.checkpoint.interval.ms (also used for log start and high watermark checkpoints).</summary>
    public long CheckpointIntervalMs { get; init; } = 60_000;
    /// <summary>log.flush.scheduler.interval.ms: how often flush.ms is checked (Kafka's default: never).</summary>
    public long FlushSchedulerIntervalMs { get; init; } = long.MaxValue;
    /// <summary>producer.id.expiration.ms: producer state is dropped this long after the producer's last append.</summary>
    public long ProducerIdExpirationMs { get; init; } = 86_400_000;
    /// <summary>log.cleaner.enable: run the log cleaner (compaction of cleanup.policy=compact topics).</summary>
    public bool CleanerEnabled { get; init; } = true;
    /// <summary>log.cleaner.backoff.ms: how long the cleaner sleeps when no log needs cleaning.</summary>
    public long CleanerBackoffMs { get; init; } = 15_000;
    /// <summary>Start the background timers (retention, checkpoints, flush); tests drive them by hand or with a fake clock.</summary>
    public bool StartScheduler { get; init; } = true;
}
