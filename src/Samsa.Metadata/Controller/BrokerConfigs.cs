using static Samsa.Metadata.Controller.ConfigChecks;

namespace Samsa.Metadata.Controller;

/// <summary>
/// Broker configs the config APIs know: the topic-default ones (<c>log.retention.ms</c>, ...) can be
/// changed at runtime per broker or cluster-wide (Kafka's dynamic broker configs); the rest are
/// read-only here (they come from server.properties).
/// </summary>
public static class BrokerConfigs
{
    private const string LongMax = "9223372036854775807";

    private static readonly ConfigDefinition[] All =
    [
        // Dynamic: defaults of topic configs.
        new("compression.gzip.level", ConfigType.Int, "-1"),
        new("compression.lz4.level", ConfigType.Int, "9", Between(1, 17)),
        new("compression.type", ConfigType.String, "producer", OneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")),
        new("compression.zstd.level", ConfigType.Int, "3", Between(-131072, 22)),
        new("log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", AtLeast(0)),
        new("log.cleaner.max.compaction.lag.ms", ConfigType.Long, LongMax, AtLeast(1)),
        new("log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", Between(0, 1)),
        new("log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0", AtLeast(0)),
        new("log.cleanup.policy", ConfigType.List, "delete", ListOf("compact", "delete")),
        new("log.flush.interval.messages", ConfigType.Long, LongMax, AtLeast(1)),
        new("log.flush.interval.ms", ConfigType.Long, null, AtLeast(0)),
        new("log.index.interval.bytes", ConfigType.Int, "4096", AtLeast(0)),
        new("log.index.size.max.bytes", ConfigType.Int, "10485760", AtLeast(4)),
        new("log.local.retention.bytes", ConfigType.Long, "-2", AtLeast(-2)),
        new("log.local.retention.ms", ConfigType.Long, "-2", AtLeast(-2)),
        new("log.message.downconversion.enable", ConfigType.Boolean, "true"),
        new("log.message.timestamp.after.max.ms", ConfigType.Long, LongMax, AtLeast(0)),
        new("log.message.timestamp.before.max.ms", ConfigType.Long, LongMax, AtLeast(0)),
        new("log.message.timestamp.difference.max.ms", ConfigType.Long, LongMax, AtLeast(0)),
        new("log.message.timestamp.type", ConfigType.String, "CreateTime", OneOf("CreateTime", "LogAppendTime")),
        new("log.preallocate", ConfigType.Boolean, "false"),
        new("log.retention.bytes", ConfigType.Long, "-1"),
        new("log.retention.hours", ConfigType.Int, "168"),
        new("log.retention.minutes", ConfigType.Int, null),
        new("log.retention.ms", ConfigType.Long, null, AtLeast(-1)),
        new("log.roll.hours", ConfigType.Int, "168", AtLeast(1)),
        new("log.roll.jitter.hours", ConfigType.Int, "0", AtLeast(0)),
        new("log.roll.jitter.ms", ConfigType.Long, null),
        new("log.roll.ms", ConfigType.Long, null),
        new("log.segment.bytes", ConfigType.Int, "1073741824", AtLeast(14)),
        new("log.segment.delete.delay.ms", ConfigType.Long, "60000", AtLeast(0)),
        new("message.max.bytes", ConfigType.Int, "1048588", AtLeast(0)),
        new("min.insync.replicas", ConfigType.Int, "1", AtLeast(1)),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false"),

        // Read-only: only server.properties sets them.
        new("advertised.listeners", ConfigType.String, null, readOnly: true),
        new("auto.create.topics.enable", ConfigType.Boolean, "true", readOnly: true),
        new("broker.id", ConfigType.Int, "-1", readOnly: true),
        new("broker.rack", ConfigType.String, null, readOnly: true),
        new("controller.listener.names", ConfigType.String, null, readOnly: true),
        new("controller.quorum.voters", ConfigType.List, "", readOnly: true),
        new("default.replication.factor", ConfigType.Int, "1", readOnly: true),
        new("delete.topic.enable", ConfigType.Boolean, "true", readOnly: true),
        new("inter.broker.listener.name", ConfigType.String, null, readOnly: true),
        new("listener.security.protocol.map", ConfigType.String,
            "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT", readOnly: true),
        new("listeners", ConfigType.String, "PLAINTEXT://:9092", readOnly: true),
        new("log.dir", ConfigType.String, "/tmp/kafka-logs", readOnly: true),
        new("log.dirs", ConfigType.String, null, readOnly: true),
        new("max.connections", ConfigType.Int, "2147483647", readOnly: true),
        new("node.id", ConfigType.Int, "-1", readOnly: true),
        new("num.partitions", ConfigType.Int, "1", readOnly: true),
        new("offsets.topic.num.partitions", ConfigType.Int, "50", readOnly: true),
        new("offsets.topic.replication.factor", ConfigType.Short, "3", readOnly: true),
        new("process.roles", ConfigType.List, "", readOnly: true),
        new("socket.request.max.bytes", ConfigType.Int, "104857600", readOnly: true),
        new("transaction.state.log.num.partitions", ConfigType.Int, "50", readOnly: true),
        new("transaction.state.log.replication.factor", ConfigType.Short, "3", readOnly: true),
    ];

    private static readonly Dictionary<string, ConfigDefinition> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static IReadOnlyList<ConfigDefinition> Definitions => All;

    public static ConfigDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Null when <paramref name="name"/> may be set to <paramref name="value"/> at runtime; otherwise why not.</summary>
    public static string? ValidateDynamic(string name, string? value)
    {
        var def = Find(name);
        if (def is null)
            return $"Unknown broker config name: {name}";
        if (def.IsReadOnly)
            return $"Cannot update these configs dynamically: Set({name})";
        if (value is null)
            return null;
        var error = def.Validate(value);
        return error is null ? null : $"Invalid value {value} for configuration {name}: {error}";
    }
}
