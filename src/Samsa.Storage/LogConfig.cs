using System.Globalization;
using Samsa.Protocol.Records;

namespace Samsa.Storage;

/// <summary>
/// Per-partition log settings under Kafka's topic-config names with Kafka's defaults. Immutable;
/// a config change replaces the whole object (<see cref="PartitionLog.UpdateConfig"/>).
/// </summary>
public sealed record LogConfig
{
    public static readonly LogConfig Default = new();

    /// <summary>segment.bytes: roll the active segment past this size.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;
    /// <summary>segment.ms: roll when the active segment's first batch is this old.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;
    /// <summary>segment.jitter.ms: subtracted from segment.ms so partitions don't roll together.</summary>
    public long SegmentJitterMs { get; init; }
    /// <summary>segment.index.bytes: maximum size of a segment's offset index (and time index, scaled).</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;
    /// <summary>index.interval.bytes: bytes of log between two sparse index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;
    /// <summary>retention.ms: delete closed segments whose newest timestamp is older; -1 keeps forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;
    /// <summary>retention.bytes: delete closed segments while the log is larger; -1 means no limit.</summary>
    public long RetentionBytes { get; init; } = -1;
    /// <summary>message.timestamp.type.</summary>
    public TimestampType MessageTimestampType { get; init; } = TimestampType.CreateTime;
    /// <summary>message.timestamp.before.max.ms: how far in the past a CreateTime timestamp may be.</summary>
    public long MessageTimestampBeforeMaxMs { get; init; } = long.MaxValue;
    /// <summary>message.timestamp.after.max.ms: how far in the future a CreateTime timestamp may be (Kafka 4 default: 1 hour).</summary>
    public long MessageTimestampAfterMaxMs { get; init; } = 60L * 60 * 1000;
    /// <summary>max.message.bytes: largest record batch accepted.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;
    /// <summary>flush.messages: fsync after this many appended records (default: leave it to the OS).</summary>
    public long FlushMessages { get; init; } = long.MaxValue;
    /// <summary>flush.ms: fsync when the oldest unflushed data is this old (default: leave it to the OS).</summary>
    public long FlushMs { get; init; } = long.MaxValue;
    /// <summary>file.delete.delay.ms: how long a deleted segment stays on disk as <c>.deleted</c>.</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;
    /// <summary>compression.type: producer, uncompressed, gzip, snappy, lz4 or zstd.</summary>
    public string CompressionType { get; init; } = "producer";
    /// <summary>cleanup.policy: delete, compact or both (compact: the log cleaner keeps the latest record per key).</summary>
    public string CleanupPolicy { get; init; } = "delete";
    /// <summary>delete.retention.ms: how long a tombstone stays in a compacted log after the cleaner first passed it.</summary>
    public long DeleteRetentionMs { get; init; } = 86_400_000;
    /// <summary>min.cleanable.dirty.ratio: dirty bytes / all bytes (below the active segment) before the cleaner takes the log.</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;
    /// <summary>min.compaction.lag.ms: a segment is only cleaned once its newest record is this old.</summary>
    public long MinCompactionLagMs { get; init; }
    /// <summary>min.insync.replicas: carried for the broker; storage does not use it.</summary>
    public int MinInSyncReplicas { get; init; } = 1;

    public bool Compact => CleanupPolicy.Contains("compact", StringComparison.Ordinal);
    public bool Delete => CleanupPolicy.Contains("delete", StringComparison.Ordinal);

    /// <summary>Maximum entries of the offset index (8 bytes each).</summary>
    internal int MaxIndexEntries => Math.Max(1, SegmentIndexBytes / OffsetIndex.EntrySize);

    /// <summary>
    /// Applies topic-level overrides (Kafka names) on top of <paramref name="defaults"/>. Unknown keys
    /// are ignored; a bad value throws <see cref="ArgumentException"/> naming the key.
    /// </summary>
    public static LogConfig FromProperties(IEnumerable<KeyValuePair<string, string>> properties, LogConfig? defaults = null)
    {
        LogConfig c = defaults ?? Default;
        foreach ((string key, string value) in properties)
        {
            c = key switch
            {
                "segment.bytes" => c with { SegmentBytes = Int(key, value, 14) },
                "segment.ms" => c with { SegmentMs = Long(key, value, 1) },
                "segment.jitter.ms" => c with { SegmentJitterMs = Long(key, value, 0) },
                "segment.index.bytes" => c with { SegmentIndexBytes = Int(key, value, OffsetIndex.EntrySize) },
                "index.interval.bytes" => c with { IndexIntervalBytes = Int(key, value, 0) },
                "retention.ms" => c with { RetentionMs = Long(key, value, -1) },
                "retention.bytes" => c with { RetentionBytes = Long(key, value, -1) },
                "message.timestamp.type" => c with { MessageTimestampType = TimestampTypeOf(key, value) },
                "message.timestamp.difference.max.ms" => c with
                {
                    MessageTimestampBeforeMaxMs = Long(key, value, 0),
                    MessageTimestampAfterMaxMs = Long(key, value, 0),
                },
                "message.timestamp.before.max.ms" => c with { MessageTimestampBeforeMaxMs = Long(key, value, 0) },
                "message.timestamp.after.max.ms" => c with { MessageTimestampAfterMaxMs = Long(key, value, 0) },
                "max.message.bytes" => c with { MaxMessageBytes = Int(key, value, 0) },
                "flush.messages" => c with { FlushMessages = Long(key, value, 1) },
                "flush.ms" => c with { FlushMs = Long(key, value, 0) },
                "file.delete.delay.ms" => c with { FileDeleteDelayMs = Long(key, value, 0) },
                "compression.type" => c with { CompressionType = CompressionTypeOf(key, value) },
                "cleanup.policy" => c with { CleanupPolicy = CleanupPolicyOf(key, value) },
                "delete.retention.ms" => c with { DeleteRetentionMs = Long(key, value, 0) },
                "min.cleanable.dirty.ratio" => c with { MinCleanableDirtyRatio = Ratio(key, value) },
                "min.compaction.lag.ms" => c with { MinCompactionLagMs = Long(key, value, 0) },
                "min.insync.replicas" => c with { MinInSyncReplicas = Int(key, value, 1) },
                _ => c,
            };
        }
        return c;
    }

    private static int Int(string key, string value, int min)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) || v < min)
        {
            throw new ArgumentException($"invalid value '{value}' for {key}: expected an integer >= {min}", key);
        }
        return v;
    }

    private static long Long(string key, string value, long min)
    {
        if (!long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) || v < min)
        {
            throw new ArgumentException($"invalid value '{value}' for {key}: expected an integer >= {min}", key);
        }
        return v;
    }

    private static double Ratio(string key, string value)
    {
        if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v is < 0 or > 1)
        {
            throw new ArgumentException($"invalid value '{value}' for {key}: expected a number between 0 and 1", key);
        }
        return v;
    }

    private static TimestampType TimestampTypeOf(string key, string value) => value.Trim() switch
    {
        "CreateTime" => TimestampType.CreateTime,
        "LogAppendTime" => TimestampType.LogAppendTime,
        _ => throw new ArgumentException($"invalid value '{value}' for {key}: expected CreateTime or LogAppendTime", key),
    };

    private static string CompressionTypeOf(string key, string value)
    {
        string v = value.Trim().ToLowerInvariant();
        return v is "producer" or "uncompressed" or "none" or "gzip" or "snappy" or "lz4" or "zstd"
            ? (v == "none" ? "uncompressed" : v)
            : throw new ArgumentException($"invalid value '{value}' for {key}: expected producer, uncompressed, gzip, snappy, lz4 or zstd", key);
    }

    private static string CleanupPolicyOf(string key, string value)
    {
        string[] parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || Array.Exists(parts, p => p is not ("delete" or "compact")))
        {
            throw new ArgumentException($"invalid value '{value}' for {key}: expected delete, compact or both", key);
        }
        return string.Join(',', parts);
    }

    /// <summary>Compression codec id required by compression.type, or -1 for "producer" (keep the batch's).</summary>
    internal int TargetCodec => CompressionType switch
    {
        "uncompressed" => 0,
        "gzip" => 1,
        "snappy" => 2,
        "lz4" => 3,
        "zstd" => 4,
        _ => -1,
    };
}
