using static Samsa.Broker.Config.ConfigValidators;

namespace Samsa.Broker.Config;

/// <summary>
/// Every broker config key Samsa accepts, with Kafka's names, types and defaults. Keys marked
/// ignored are accepted so Kafka's own <c>server.properties</c> loads without warnings, and have
/// no effect (their documentation says why). Any other key is reported as unknown.
/// </summary>
public static class BrokerConfigKeys
{
    public const string ProcessRoles = "process.roles";
    public const string NodeId = "node.id";
    public const string BrokerId = "broker.id";
    public const string Listeners = "listeners";
    public const string AdvertisedListeners = "advertised.listeners";
    public const string ListenerSecurityProtocolMap = "listener.security.protocol.map";
    public const string InterBrokerListenerName = "inter.broker.listener.name";
    public const string ControllerListenerNames = "controller.listener.names";
    public const string ControllerQuorumVoters = "controller.quorum.voters";
    public const string ControllerQuorumBootstrapServers = "controller.quorum.bootstrap.servers";
    public const string HttpListeners = "http.listeners";
    public const string LogDirs = "log.dirs";
    public const string LogDir = "log.dir";
    public const string MetadataLogDir = "metadata.log.dir";
    public const string NumPartitions = "num.partitions";
    public const string DefaultReplicationFactor = "default.replication.factor";
    public const string AutoCreateTopicsEnable = "auto.create.topics.enable";
    public const string LogRetentionHours = "log.retention.hours";
    public const string LogRetentionMinutes = "log.retention.minutes";
    public const string LogRetentionMs = "log.retention.ms";
    public const string LogRetentionBytes = "log.retention.bytes";
    public const string LogSegmentBytes = "log.segment.bytes";
    public const string LogRollHours = "log.roll.hours";
    public const string LogRollMs = "log.roll.ms";
    public const string MessageMaxBytes = "message.max.bytes";
    public const string SocketRequestMaxBytes = "socket.request.max.bytes";
    public const string CompressionType = "compression.type";
    public const string MaxConnections = "max.connections";
    public const string MaxConnectionsPerIp = "max.connections.per.ip";
    public const string ConnectionsMaxIdleMs = "connections.max.idle.ms";
    public const string OffsetsTopicNumPartitions = "offsets.topic.num.partitions";
    public const string OffsetsTopicReplicationFactor = "offsets.topic.replication.factor";
    public const string GroupInitialRebalanceDelayMs = "group.initial.rebalance.delay.ms";
    public const string MinInsyncReplicas = "min.insync.replicas";
    public const string BrokerRack = "broker.rack";

    private const string IgnoredNote = " Accepted for compatibility; Samsa has no fixed thread pools for it (work runs on the .NET thread pool).";

    /// <summary>All keys, in a stable order (the order DescribeConfigs lists them).</summary>
    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        // roles, identity, quorum
        new(ProcessRoles, ConfigType.List, null, "The roles this node plays: broker, controller or both (combined mode).", Combine(NonEmptyList(), ListOf("broker", "controller")), required: true),
        new(NodeId, ConfigType.Int, null, "The id of this node, unique in the cluster.", AtLeast(0), required: true),
        new(BrokerId, ConfigType.Int, "-1", "Older name of node.id; when both are set they must match."),
        new(ControllerListenerNames, ConfigType.List, null, "Names of the listeners the controllers use.", NonEmptyList(), required: true),
        new(ControllerQuorumVoters, ConfigType.List, "", "The static voter set, as id@host:port entries."),
        new(ControllerQuorumBootstrapServers, ConfigType.List, "", "host:port of controllers to discover the quorum from (dynamic quorum)."),
        new("controller.quorum.election.timeout.ms", ConfigType.Int, "1000", "Maximum time without a leader before an election starts."),
        new("controller.quorum.election.backoff.max.ms", ConfigType.Int, "1000", "Maximum back-off before starting a new election."),
        new("controller.quorum.fetch.timeout.ms", ConfigType.Int, "2000", "Maximum time without a successful fetch from the leader before a voter becomes a candidate."),
        new("controller.quorum.request.timeout.ms", ConfigType.Int, "2000", "Timeout of quorum requests."),
        new("controller.quorum.retry.backoff.ms", ConfigType.Int, "20", "Back-off before retrying a failed quorum request."),
        new("controller.quorum.append.linger.ms", ConfigType.Int, "25", "How long the leader waits to batch metadata records."),
        new("broker.heartbeat.interval.ms", ConfigType.Int, "2000", "Interval between broker heartbeats to the controller."),
        new("broker.session.timeout.ms", ConfigType.Int, "9000", "A broker without heartbeats for this long is fenced."),
        new("initial.broker.registration.timeout.ms", ConfigType.Int, "60000", "How long a broker waits for its first registration."),
        new(MetadataLogDir, ConfigType.String, null, "Where the metadata log lives; defaults to the first log directory."),
        new("metadata.log.segment.bytes", ConfigType.Int, "1073741824", "Segment size of the metadata log.", AtLeast(12)),
        new("metadata.log.max.record.bytes.between.snapshots", ConfigType.Long, "20971520", "Metadata log bytes between snapshots.", AtLeast(1)),
        new("metadata.max.retention.ms", ConfigType.Long, "604800000", "Retention of metadata log segments and snapshots."),
        new("metadata.max.retention.bytes", ConfigType.Long, "104857600", "Size retention of the metadata log."),
        new(BrokerRack, ConfigType.String, null, "Rack of this broker, for rack-aware replica placement and follower fetching."),

        // listeners and connections
        new(Listeners, ConfigType.List, "PLAINTEXT://:9092", "Listeners as NAME://host:port; an empty host binds all interfaces, port 0 picks a free port.", NonEmptyList()),
        new(AdvertisedListeners, ConfigType.List, null, "Listeners published to clients in metadata; defaults to the broker listeners."),
        new(ListenerSecurityProtocolMap, ConfigType.List, "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", "Listener name to security protocol."),
        new(InterBrokerListenerName, ConfigType.String, null, "Listener brokers use to talk to each other."),
        new("security.inter.broker.protocol", ConfigType.String, "PLAINTEXT", "Security protocol between brokers.", In("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")),
        new(HttpListeners, ConfigType.List, "http://localhost:9080", "Samsa: URLs of the HTTP port (health, later the web console and metrics); empty disables it."),
        new(SocketRequestMaxBytes, ConfigType.Int, "104857600", "Largest request frame accepted; a bigger size prefix closes the connection.", AtLeast(1)),
        new("socket.send.buffer.bytes", ConfigType.Int, "102400", "SO_SNDBUF of client sockets." + " Accepted; Samsa leaves socket buffers to the OS.", ignored: true),
        new("socket.receive.buffer.bytes", ConfigType.Int, "102400", "SO_RCVBUF of client sockets." + " Accepted; Samsa leaves socket buffers to the OS.", ignored: true),
        new("socket.listen.backlog.size", ConfigType.Int, "50", "Accept backlog." + " Accepted; the OS default backlog is used.", ignored: true),
        new(MaxConnections, ConfigType.Int, "2147483647", "Most client connections open at once, over all listeners.", AtLeast(0)),
        new(MaxConnectionsPerIp, ConfigType.Int, "2147483647", "Most client connections open at once from one IP address.", AtLeast(0)),
        new(ConnectionsMaxIdleMs, ConfigType.Long, "600000", "Idle connections are closed after this long."),
        new("num.network.threads", ConfigType.Int, "3", "Network threads." + IgnoredNote, AtLeast(1), ignored: true),
        new("num.io.threads", ConfigType.Int, "8", "Request handler threads." + IgnoredNote, AtLeast(1), ignored: true),
        new("background.threads", ConfigType.Int, "10", "Background task threads." + IgnoredNote, AtLeast(1), ignored: true),
        new("queued.max.requests", ConfigType.Int, "500", "Requests queued before the network threads block." + IgnoredNote, AtLeast(1), ignored: true),
        new("num.replica.fetchers", ConfigType.Int, "1", "Replica fetcher threads." + IgnoredNote, ignored: true),
        new("num.recovery.threads.per.data.dir", ConfigType.Int, "1", "Log recovery threads per data directory." + IgnoredNote, AtLeast(1), ignored: true),

        // logs
        new(LogDirs, ConfigType.List, null, "Directories holding the partition logs; log.dir is used when unset."),
        new(LogDir, ConfigType.String, "/tmp/kafka-logs", "The log directory when log.dirs is not set."),
        new(NumPartitions, ConfigType.Int, "1", "Partitions of an auto-created topic.", AtLeast(1)),
        new(DefaultReplicationFactor, ConfigType.Int, "1", "Replication factor of an auto-created topic.", AtLeast(1)),
        new(AutoCreateTopicsEnable, ConfigType.Boolean, "true", "Create unknown topics on Metadata and Produce requests."),
        new("delete.topic.enable", ConfigType.Boolean, "true", "Allow deleting topics."),
        new(LogSegmentBytes, ConfigType.Int, "1073741824", "Largest size of one log segment file.", AtLeast(14)),
        new(LogRollHours, ConfigType.Int, "168", "Roll a new segment after this many hours.", AtLeast(1)),
        new(LogRollMs, ConfigType.Long, null, "Roll a new segment after this many ms (wins over log.roll.hours).", AtLeast(1)),
        new("log.roll.jitter.hours", ConfigType.Int, "0", "Random jitter subtracted from the roll time.", AtLeast(0)),
        new("log.roll.jitter.ms", ConfigType.Long, null, "Random jitter subtracted from the roll time (wins over hours)."),
        new(LogRetentionHours, ConfigType.Int, "168", "Keep a segment this many hours."),
        new(LogRetentionMinutes, ConfigType.Int, null, "Keep a segment this many minutes (wins over hours)."),
        new(LogRetentionMs, ConfigType.Long, null, "Keep a segment this many ms (wins over minutes); -1 keeps forever."),
        new(LogRetentionBytes, ConfigType.Long, "-1", "Largest size of a partition log before old segments are deleted; -1 is unlimited."),
        new("log.retention.check.interval.ms", ConfigType.Long, "300000", "How often retention is checked.", AtLeast(1)),
        new("log.segment.delete.delay.ms", ConfigType.Long, "60000", "Delay before a deleted segment's files are removed.", AtLeast(0)),
        new("log.cleanup.policy", ConfigType.List, "delete", "delete and/or compact.", ListOf("delete", "compact")),
        new("log.cleaner.enable", ConfigType.Boolean, "true", "Run the log cleaner (compaction)."),
        new("log.cleaner.threads", ConfigType.Int, "1", "Cleaner threads.", AtLeast(0)),
        new("log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", "Dirty ratio that makes a log eligible for cleaning."),
        new("log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", "How long tombstones are kept in compacted topics.", AtLeast(0)),
        new("log.cleaner.min.compaction.lag.ms", ConfigType.Long, "0", "Minimum age of a record before it may be compacted.", AtLeast(0)),
        new("log.cleaner.max.compaction.lag.ms", ConfigType.Long, "9223372036854775807", "Maximum time a record stays uncompacted.", AtLeast(1)),
        new("log.cleaner.backoff.ms", ConfigType.Long, "15000", "Sleep of an idle cleaner.", AtLeast(0)),
        new("log.cleaner.dedupe.buffer.size", ConfigType.Long, "134217728", "Memory for cleaner deduplication."),
        new("log.index.size.max.bytes", ConfigType.Int, "10485760", "Largest size of an offset or time index file.", AtLeast(4)),
        new("log.index.interval.bytes", ConfigType.Int, "4096", "Bytes between offset index entries.", AtLeast(0)),
        new("log.flush.interval.messages", ConfigType.Long, "9223372036854775807", "Messages between forced fsyncs of a log.", AtLeast(1)),
        new("log.flush.interval.ms", ConfigType.Long, null, "Most time a message stays in memory before an fsync."),
        new("log.flush.scheduler.interval.ms", ConfigType.Long, "9223372036854775807", "How often the flusher checks for logs to flush."),
        new("log.flush.offset.checkpoint.interval.ms", ConfigType.Int, "60000", "How often the recovery point checkpoint is written.", AtLeast(0)),
        new("log.flush.start.offset.checkpoint.interval.ms", ConfigType.Int, "60000", "How often the log start offset checkpoint is written.", AtLeast(0)),
        new("log.preallocate", ConfigType.Boolean, "false", "Preallocate segment files."),
        new("log.message.timestamp.type", ConfigType.String, "CreateTime", "CreateTime or LogAppendTime.", In("CreateTime", "LogAppendTime")),
        new("log.message.timestamp.before.max.ms", ConfigType.Long, "9223372036854775807", "Largest allowed distance of a record timestamp into the past.", AtLeast(0)),
        new("log.message.timestamp.after.max.ms", ConfigType.Long, "3600000", "Largest allowed distance of a record timestamp into the future.", AtLeast(0)),
        new(MessageMaxBytes, ConfigType.Int, "1048588", "Largest record batch accepted (after compression).", AtLeast(0)),
        new(CompressionType, ConfigType.String, "producer", "Compression of stored batches; producer keeps what the producer sent.", InIgnoreCase("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer")),
        new("compression.gzip.level", ConfigType.Int, "-1", "gzip level when the broker compresses.", Between(-1, 9)),
        new("compression.lz4.level", ConfigType.Int, "9", "lz4 level when the broker compresses.", Between(1, 17)),
        new("compression.zstd.level", ConfigType.Int, "3", "zstd level when the broker compresses.", Between(-131072, 22)),

        // replication
        new(MinInsyncReplicas, ConfigType.Int, "1", "Replicas that must acknowledge an acks=all produce.", AtLeast(1)),
        new("unclean.leader.election.enable", ConfigType.Boolean, "false", "Allow out-of-sync replicas to become leader."),
        new("auto.leader.rebalance.enable", ConfigType.Boolean, "true", "Move leadership back to preferred replicas."),
        new("leader.imbalance.check.interval.seconds", ConfigType.Long, "300", "How often leader balance is checked.", AtLeast(1)),
        new("leader.imbalance.per.broker.percentage", ConfigType.Int, "10", "Allowed leader imbalance per broker.", AtLeast(0)),
        new("replica.lag.time.max.ms", ConfigType.Long, "30000", "A follower not caught up for this long leaves the ISR."),
        new("replica.fetch.max.bytes", ConfigType.Int, "1048576", "Bytes per partition a follower fetches.", AtLeast(0)),
        new("replica.fetch.min.bytes", ConfigType.Int, "1", "Minimum bytes of a follower fetch response."),
        new("replica.fetch.wait.max.ms", ConfigType.Int, "500", "Longest wait of a follower fetch."),
        new("replica.fetch.backoff.ms", ConfigType.Int, "1000", "Back-off after a failed follower fetch.", AtLeast(0)),
        new("replica.fetch.response.max.bytes", ConfigType.Int, "10485760", "Largest follower fetch response.", AtLeast(0)),
        new("replica.socket.timeout.ms", ConfigType.Int, "30000", "Socket timeout of follower fetches."),
        new("replica.socket.receive.buffer.bytes", ConfigType.Int, "65536", "Receive buffer of follower fetches."),
        new("replica.high.watermark.checkpoint.interval.ms", ConfigType.Long, "5000", "How often high watermarks are checkpointed."),
        new("replica.selector.class", ConfigType.Class, null, "Selects the replica a consumer fetches from (rack-aware follower fetching)."),
        new("fetch.max.bytes", ConfigType.Int, "57671680", "Largest fetch response.", AtLeast(1024)),
        new("max.incremental.fetch.session.cache.slots", ConfigType.Int, "1000", "Fetch sessions kept (KIP-227).", AtLeast(0)),

        // groups and offsets
        new(OffsetsTopicNumPartitions, ConfigType.Int, "50", "Partitions of __consumer_offsets.", AtLeast(1)),
        new(OffsetsTopicReplicationFactor, ConfigType.Short, "3", "Replication factor of __consumer_offsets.", AtLeast(1)),
        new("offsets.topic.segment.bytes", ConfigType.Int, "104857600", "Segment size of __consumer_offsets.", AtLeast(1)),
        new("offsets.topic.compression.codec", ConfigType.Int, "0", "Compression of offset commits (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)."),
        new("offsets.retention.minutes", ConfigType.Int, "10080", "How long committed offsets of an empty group are kept.", AtLeast(1)),
        new("offsets.retention.check.interval.ms", ConfigType.Long, "600000", "How often stale offsets are removed.", AtLeast(1)),
        new("offsets.commit.timeout.ms", ConfigType.Int, "5000", "Longest wait of an offset commit for replication.", AtLeast(1)),
        new("offsets.load.buffer.size", ConfigType.Int, "5242880", "Read size when loading offsets.", AtLeast(1)),
        new("offset.metadata.max.bytes", ConfigType.Int, "4096", "Largest metadata string of an offset commit."),
        new(GroupInitialRebalanceDelayMs, ConfigType.Int, "3000", "How long the first rebalance of an empty group waits for more members."),
        new("group.min.session.timeout.ms", ConfigType.Int, "6000", "Smallest session timeout a member may ask for."),
        new("group.max.session.timeout.ms", ConfigType.Int, "1800000", "Largest session timeout a member may ask for."),
        new("group.max.size", ConfigType.Int, "2147483647", "Most members in one group.", AtLeast(1)),
        new("group.coordinator.rebalance.protocols", ConfigType.List, "classic,consumer", "Group protocols served.", ListOf("classic", "consumer", "share")),

        // transactions and producer ids
        new("transaction.state.log.num.partitions", ConfigType.Int, "50", "Partitions of __transaction_state.", AtLeast(1)),
        new("transaction.state.log.replication.factor", ConfigType.Short, "3", "Replication factor of __transaction_state.", AtLeast(1)),
        new("transaction.state.log.min.isr", ConfigType.Int, "2", "min.insync.replicas of __transaction_state.", AtLeast(1)),
        new("transaction.state.log.segment.bytes", ConfigType.Int, "104857600", "Segment size of __transaction_state.", AtLeast(1)),
        new("transaction.max.timeout.ms", ConfigType.Int, "900000", "Largest transaction timeout a producer may ask for.", AtLeast(1)),
        new("transactional.id.expiration.ms", ConfigType.Int, "604800000", "Idle transactional ids expire after this long.", AtLeast(1)),
        new("transaction.abort.timed.out.transaction.cleanup.interval.ms", ConfigType.Int, "10000", "How often timed-out transactions are aborted.", AtLeast(1)),
        new("transaction.remove.expired.transaction.cleanup.interval.ms", ConfigType.Int, "3600000", "How often expired transactional ids are removed.", AtLeast(1)),
        new("producer.id.expiration.ms", ConfigType.Int, "86400000", "Idle producer ids expire after this long.", AtLeast(1)),
        new("producer.id.expiration.check.interval.ms", ConfigType.Int, "600000", "How often producer ids are checked for expiry.", AtLeast(1)),
        new("share.coordinator.state.topic.replication.factor", ConfigType.Short, "3", "Share groups (KIP-932) are not served by Samsa; accepted for compatibility.", AtLeast(1), ignored: true),
        new("share.coordinator.state.topic.min.isr", ConfigType.Short, "2", "Share groups (KIP-932) are not served by Samsa; accepted for compatibility.", AtLeast(1), ignored: true),
    ];

    private static readonly Dictionary<string, ConfigKey> ByName = BuildIndex();

    private static Dictionary<string, ConfigKey> BuildIndex()
    {
        var index = new Dictionary<string, ConfigKey>(StringComparer.Ordinal);
        foreach (var key in All) index.Add(key.Name, key);
        return index;
    }

    public static bool TryGet(string name, out ConfigKey key) => ByName.TryGetValue(name, out key!);

    private static Func<object?, string?> Combine(Func<object?, string?> a, Func<object?, string?> b) =>
        v => a(v) ?? b(v);
}
