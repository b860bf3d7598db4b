using static Samsa.Metadata.Controller.ConfigChecks;

namespace Samsa.Metadata.Controller;

/// <summary>
/// Kafka's topic-level configs: names, types, defaults, allowed values and the broker configs
/// (synonyms) that set their defaults.
/// </summary>
public static class TopicConfigs
{
    public const string CleanupPolicy = "cleanup.policy";
    public const string CompressionType = "compression.type";
    public const string DeleteRetentionMs = "delete.retention.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string MessageTimestampType = "message.timestamp.type";
    public const string MinCleanableDirtyRatio = "min.cleanable.dirty.ratio";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string RetentionBytes = "retention.bytes";
    public const string RetentionMs = "retention.ms";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentMs = "segment.ms";

    private const string LongMax = "9223372036854775807";

    private static readonly ConfigDefinition[] All =
    [
        new(CleanupPolicy, ConfigType.List, "delete", ListOf("compact", "delete"), [new("log.cleanup.policy")]),
        new(CompressionType, ConfigType.String, "producer", OneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), [new("compression.type")]),
        new("compression.gzip.level", ConfigType.Int, "-1", v => v == "-1" ? null : Between(1, 9)(v), [new("compression.gzip.level")]),
        new("compression.lz4.level", ConfigType.Int, "9", Between(1, 17), [new("compression.lz4.level")]),
        new("compression.zstd.level", ConfigType.Int, "3", Between(-131072, 22), [new("compression.zstd.level")]),
        new(DeleteRetentionMs, ConfigType.Long, "86400000", AtLeast(0), [new("log.cleaner.delete.retention.ms")]),
        new("file.delete.delay.ms", ConfigType.Long, "60000", AtLeast(0), [new("log.segment.delete.delay.ms")]),
        new("flush.messages", ConfigType.Long, LongMax, AtLeast(1), [new("log.flush.interval.messages")]),
        new("flush.ms", ConfigType.Long, LongMax, AtLeast(0), [new("log.flush.interval.ms")]),
        new("follower.replication.throttled.replicas", ConfigType.List, ""),
        new("index.interval.bytes", ConfigType.Int, "4096", AtLeast(0), [new("log.index.interval.bytes")]),
        new("leader.replication.throttled.replicas", ConfigType.List, ""),
        new("local.retention.bytes", ConfigType.Long, "-2", AtLeast(-2), [new("log.local.retention.bytes")]),
        new("local.retention.ms", ConfigType.Long, "-2", AtLeast(-2), [new("log.local.retention.ms")]),
        new("max.compaction.lag.ms", ConfigType.Long, LongMax, AtLeast(1), [new("log.cleaner.max.compaction.lag.ms")]),
        new(MaxMessageBytes, ConfigType.Int, "1048588", AtLeast(0), [new("message.max.bytes")]),
        new("message.downconversion.enable", ConfigType.Boolean, "true", null, [new("log.message.downconversion.enable")]),
        new("message.timestamp.after.max.ms", ConfigType.Long, LongMax, AtLeast(0), [new("log.message.timestamp.after.max.ms")]),
        new("message.timestamp.before.max.ms", ConfigType.Long, LongMax, AtLeast(0), [new("log.message.timestamp.before.max.ms")]),
        new("message.timestamp.difference.max.ms", ConfigType.Long, LongMax, AtLeast(0), [new("log.message.timestamp.difference.max.ms")]),
        new(MessageTimestampType, ConfigType.String, "CreateTime", OneOf("CreateTime", "LogAppendTime"), [new("log.message.timestamp.type")]),
        new(MinCleanableDirtyRatio, ConfigType.Double, "0.5", Between(0, 1), [new("log.cleaner.min.cleanable.ratio")]),
        new("min.compaction.lag.ms", ConfigType.Long, "0", AtLeast(0), [new("log.cleaner.min.compaction.lag.ms")]),
        new(MinInsyncReplicas, ConfigType.Int, "1", AtLeast(1), [new("min.insync.replicas")]),
        new("preallocate", ConfigType.Boolean, "false", null, [new("log.preallocate")]),
        new("remote.storage.enable", ConfigType.Boolean, "false"),
        new(RetentionBytes, ConfigType.Long, "-1", null, [new("log.retention.bytes")]),
        new(RetentionMs, ConfigType.Long, "604800000", AtLeast(-1),
            [new("log.retention.ms"), new("log.retention.minutes", 60_000), new("log.retention.hours", 3_600_000)]),
        new(SegmentBytes, ConfigType.Int, "1073741824", AtLeast(14), [new("log.segment.bytes")]),
        new("segment.index.bytes", ConfigType.Int, "10485760", AtLeast(4), [new("log.index.size.max.bytes")]),
        new("segment.jitter.ms", ConfigType.Long, "0", AtLeast(0), [new("log.roll.jitter.ms"), new("log.roll.jitter.hours", 3_600_000)]),
        new(SegmentMs, ConfigType.Long, "604800000", AtLeast(1), [new("log.roll.ms"), new("log.roll.hours", 3_600_000)]),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false", null, [new("unclean.leader.election.enable")]),
    ];

    private static readonly Dictionary<string, ConfigDefinition> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>Every topic config, sorted by name.</summary>
    public static IReadOnlyList<ConfigDefinition> Definitions => All;

    public static ConfigDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Returns null when <paramref name="name"/>=<paramref name="value"/> is a valid topic config, or Kafka-style text saying why not.</summary>
    public static string? Validate(string name, string? value)
    {
        var def = Find(name);
        if (def is null)
            return $"Unknown topic config name: {name}";
        if (value is null)
            return $"Null value not supported for topic configs: {name}";
        var error = def.Validate(value);
        return error is null ? null : $"Invalid value {value} for configuration {name}: {error}";
    }
}
