namespace Samsa.Client;

/// <summary>Consumer settings with Kafka's names and defaults (see <see cref="ClientConfig"/>).</summary>
public sealed class ConsumerConfig : ClientConfig
{
    public ConsumerConfig() { }

    /// <summary>Creates a config from Kafka properties ("group.id" = "...", ...).</summary>
    public ConsumerConfig(IEnumerable<KeyValuePair<string, string>> properties) => Apply(properties);

    /// <summary>group.id: needed for Subscribe and commits.</summary>
    public string? GroupId { get; set; }

    /// <summary>group.instance.id: static membership; a restart within the session keeps the assignment.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>session.timeout.ms (45000).</summary>
    public int SessionTimeoutMs { get; set; } = 45000;

    /// <summary>heartbeat.interval.ms (3000).</summary>
    public int HeartbeatIntervalMs { get; set; } = 3000;

    /// <summary>max.poll.interval.ms (300000): longer between polls and the member leaves the group.</summary>
    public int MaxPollIntervalMs { get; set; } = 300000;

    /// <summary>max.poll.records (500).</summary>
    public int MaxPollRecords { get; set; } = 500;

    /// <summary>enable.auto.commit (true).</summary>
    public bool EnableAutoCommit { get; set; } = true;

    /// <summary>auto.commit.interval.ms (5000).</summary>
    public int AutoCommitIntervalMs { get; set; } = 5000;

    /// <summary>auto.offset.reset (latest).</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>fetch.min.bytes (1).</summary>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary>fetch.max.bytes (52428800).</summary>
    public int FetchMaxBytes { get; set; } = 52428800;

    /// <summary>fetch.max.wait.ms (500).</summary>
    public int FetchMaxWaitMs { get; set; } = 500;

    /// <summary>max.partition.fetch.bytes (1048576).</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1048576;

    /// <summary>isolation.level (read_uncommitted).</summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadUncommitted;

    /// <summary>partition.assignment.strategy (range, cooperative-sticky), in preference order.</summary>
    public IList<string> PartitionAssignmentStrategy { get; set; } = ["range", "cooperative-sticky"];

    /// <summary>check.crcs (true): verify each batch's CRC-32C.</summary>
    public bool CheckCrcs { get; set; } = true;

    /// <summary>allow.auto.create.topics (true).</summary>
    public bool AllowAutoCreateTopics { get; set; } = true;

    /// <summary>exclude.internal.topics (true): regex subscriptions skip topics such as __consumer_offsets.</summary>
    public bool ExcludeInternalTopics { get; set; } = true;

    /// <summary>default.api.timeout.ms (60000): bound of blocking calls without their own timeout.</summary>
    public int DefaultApiTimeoutMs { get; set; } = 60000;

    public override void Validate()
    {
        base.Validate();
        ConfigValue.Range("max.poll.records", MaxPollRecords, 1, int.MaxValue);
        ConfigValue.Range("session.timeout.ms", SessionTimeoutMs, 1, int.MaxValue);
        ConfigValue.Range("heartbeat.interval.ms", HeartbeatIntervalMs, 1, int.MaxValue);
        if (HeartbeatIntervalMs >= SessionTimeoutMs)
            throw new KafkaConfigException("heartbeat.interval.ms", "must be lower than session.timeout.ms.");
        ConfigValue.Range("max.poll.interval.ms", MaxPollIntervalMs, 1, int.MaxValue);
        ConfigValue.Range("fetch.min.bytes", FetchMinBytes, 0, int.MaxValue);
        ConfigValue.Range("fetch.max.bytes", FetchMaxBytes, 0, int.MaxValue);
        ConfigValue.Range("fetch.max.wait.ms", FetchMaxWaitMs, 0, int.MaxValue);
        ConfigValue.Range("max.partition.fetch.bytes", MaxPartitionFetchBytes, 0, int.MaxValue);
        if (PartitionAssignmentStrategy.Count == 0)
            throw new KafkaConfigException("partition.assignment.strategy", "must name at least one assignor.");
        foreach (var name in PartitionAssignmentStrategy)
        {
            if (Assignors.PartitionAssignors.TryCreate(name) is null)
                throw new KafkaConfigException("partition.assignment.strategy",
                    $"'{name}' is not one of range, roundrobin, sticky, cooperative-sticky.");
        }
    }

    private protected override bool TryApply(string normalizedKey, string key, string value)
    {
        switch (normalizedKey)
        {
            case "groupid": GroupId = ConfigValue.Optional(value); return true;
            case "groupinstanceid": GroupInstanceId = ConfigValue.Optional(value); return true;
            case "sessiontimeoutms": SessionTimeoutMs = ConfigValue.Int(key, value, 1); return true;
            case "heartbeatintervalms": HeartbeatIntervalMs = ConfigValue.Int(key, value, 1); return true;
            case "maxpollintervalms": MaxPollIntervalMs = ConfigValue.Int(key, value, 1); return true;
            case "maxpollrecords": MaxPollRecords = ConfigValue.Int(key, value, 1); return true;
            case "enableautocommit": EnableAutoCommit = ConfigValue.Bool(key, value); return true;
            case "autocommitintervalms": AutoCommitIntervalMs = ConfigValue.Int(key, value, 0); return true;
            case "autooffsetreset":
                AutoOffsetReset = value.Trim().ToLowerInvariant() switch
                {
                    "latest" or "largest" => AutoOffsetReset.Latest,
                    "earliest" or "smallest" => AutoOffsetReset.Earliest,
                    "none" => AutoOffsetReset.None,
                    _ => throw new KafkaConfigException(key, $"'{value}' is not one of latest, earliest, none."),
                };
                return true;
            case "fetchminbytes": FetchMinBytes = ConfigValue.Int(key, value, 0); return true;
            case "fetchmaxbytes": FetchMaxBytes = ConfigValue.Int(key, value, 0); return true;
            case "fetchmaxwaitms": FetchMaxWaitMs = ConfigValue.Int(key, value, 0); return true;
            case "maxpartitionfetchbytes": MaxPartitionFetchBytes = ConfigValue.Int(key, value, 0); return true;
            case "isolationlevel":
                IsolationLevel = value.Trim().ToLowerInvariant() switch
                {
                    "read_uncommitted" => IsolationLevel.ReadUncommitted,
                    "read_committed" => IsolationLevel.ReadCommitted,
                    _ => throw new KafkaConfigException(key, $"'{value}' is not read_uncommitted or read_committed."),
                };
                return true;
            case "partitionassignmentstrategy":
                var names = ConfigValue.List(value);
                foreach (var name in names)
                {
                    if (Assignors.PartitionAssignors.TryCreate(name) is null)
                        throw new KafkaConfigException(key, $"'{name}' is not one of range, roundrobin, sticky, cooperative-sticky.");
                }
                PartitionAssignmentStrategy = names;
                return true;
            case "checkcrcs": CheckCrcs = ConfigValue.Bool(key, value); return true;
            case "allowautocreatetopics": AllowAutoCreateTopics = ConfigValue.Bool(key, value); return true;
            case "excludeinternaltopics": ExcludeInternalTopics = ConfigValue.Bool(key, value); return true;
            case "defaultapitimeoutms": DefaultApiTimeoutMs = ConfigValue.Int(key, value, 0); return true;
            case "groupprotocol":
                if (!value.Trim().Equals("classic", StringComparison.OrdinalIgnoreCase))
                    throw new KafkaConfigException(key, $"'{value}' is not supported; only classic is.");
                return true;
            default: return base.TryApply(normalizedKey, key, value);
        }
    }
}
