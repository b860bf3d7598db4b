namespace Samsa.Client;

/// <summary>Producer settings with Kafka's names and defaults (see <see cref="ClientConfig"/>).</summary>
public sealed class ProducerConfig : ClientConfig
{
    public ProducerConfig() { }

    /// <summary>Creates a config from Kafka properties ("acks" = "all", ...).</summary>
    public ProducerConfig(IEnumerable<KeyValuePair<string, string>> properties) => Apply(properties);

    /// <summary>acks (all).</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>enable.idempotence (true): no duplicates and no reordering on retries.</summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>retries (2147483647): bounded in practice by delivery.timeout.ms.</summary>
    public int Retries { get; set; } = int.MaxValue;

    /// <summary>delivery.timeout.ms (120000): upper bound from send to success or failure.</summary>
    public int DeliveryTimeoutMs { get; set; } = 120000;

    /// <summary>linger.ms (5): how long a batch waits for more records before it is sent.</summary>
    public int LingerMs { get; set; } = 5;

    /// <summary>batch.size (16384): target size of one partition's batch, in bytes.</summary>
    public int BatchSize { get; set; } = 16384;

    /// <summary>buffer.memory (33554432): bytes of unsent records before sends block.</summary>
    public long BufferMemory { get; set; } = 33554432;

    /// <summary>max.block.ms (60000): how long a send may block on full buffers or missing metadata.</summary>
    public int MaxBlockMs { get; set; } = 60000;

    /// <summary>max.request.size (1048576): the largest record (and request) the producer sends.</summary>
    public int MaxRequestSize { get; set; } = 1048576;

    /// <summary>compression.type (none).</summary>
    public CompressionType CompressionType { get; set; } = CompressionType.None;

    /// <summary>max.in.flight.requests.per.connection (5).</summary>
    public int MaxInFlightRequestsPerConnection { get; set; } = 5;

    /// <summary>partitioner.ignore.keys (false): keyed records use the sticky partitioner too.</summary>
    public bool PartitionerIgnoreKeys { get; set; }

    /// <summary>partitioner.adaptive.partitioning.enable (true): favour partitions with shorter queues.</summary>
    public bool PartitionerAdaptivePartitioningEnable { get; set; } = true;

    /// <summary>partitioner.availability.timeout.ms (0 = off).</summary>
    public int PartitionerAvailabilityTimeoutMs { get; set; }

    /// <summary>transactional.id: transactions are not supported yet; setting it is an error.</summary>
    public string? TransactionalId { get; set; }

    public override void Validate()
    {
        base.Validate();
        ConfigValue.Range("batch.size", BatchSize, 0, int.MaxValue);
        ConfigValue.Range("linger.ms", LingerMs, 0, int.MaxValue);
        ConfigValue.Range("max.block.ms", MaxBlockMs, 0, int.MaxValue);
        ConfigValue.Range("max.request.size", MaxRequestSize, 1, int.MaxValue);
        ConfigValue.Range("max.in.flight.requests.per.connection", MaxInFlightRequestsPerConnection, 1, int.MaxValue);
        ConfigValue.Range("retries", Retries, 0, int.MaxValue);
        if (BufferMemory < 1) throw new KafkaConfigException("buffer.memory", $"{BufferMemory} must be positive.");
        if (DeliveryTimeoutMs < LingerMs + RequestTimeoutMs)
            throw new KafkaConfigException("delivery.timeout.ms",
                $"{DeliveryTimeoutMs} must be at least linger.ms + request.timeout.ms ({LingerMs + RequestTimeoutMs}).");
        if (EnableIdempotence)
        {
            if (Acks != Acks.All)
                throw new KafkaConfigException("acks", "must be all when enable.idempotence is true.");
            if (MaxInFlightRequestsPerConnection > 5)
                throw new KafkaConfigException("max.in.flight.requests.per.connection",
                    "must be at most 5 when enable.idempotence is true.");
            if (Retries == 0)
                throw new KafkaConfigException("retries", "must be greater than 0 when enable.idempotence is true.");
        }
        if (TransactionalId is not null)
            throw new KafkaConfigException("transactional.id", "transactions are not supported by this client yet.");
    }

    private protected override bool TryApply(string normalizedKey, string key, string value)
    {
        switch (normalizedKey)
        {
            case "acks":
                Acks = value.Trim().ToLowerInvariant() switch
                {
                    "all" or "-1" => Acks.All,
                    "0" => Acks.None,
                    "1" => Acks.Leader,
                    _ => throw new KafkaConfigException(key, $"'{value}' is not one of all, -1, 0, 1."),
                };
                return true;
            case "enableidempotence": EnableIdempotence = ConfigValue.Bool(key, value); return true;
            case "retries": Retries = ConfigValue.Int(key, value, 0); return true;
            case "deliverytimeoutms": DeliveryTimeoutMs = ConfigValue.Int(key, value, 0); return true;
            case "lingerms": LingerMs = ConfigValue.Int(key, value, 0); return true;
            case "batchsize": BatchSize = ConfigValue.Int(key, value, 0); return true;
            case "buffermemory": BufferMemory = ConfigValue.Long(key, value, 1); return true;
            case "maxblockms": MaxBlockMs = ConfigValue.Int(key, value, 0); return true;
            case "maxrequestsize": MaxRequestSize = ConfigValue.Int(key, value, 1); return true;
            case "compressiontype":
                CompressionType = value.Trim().ToLowerInvariant() switch
                {
                    "none" => CompressionType.None,
                    "gzip" => CompressionType.Gzip,
                    "snappy" => CompressionType.Snappy,
                    "lz4" => CompressionType.Lz4,
                    "zstd" => CompressionType.Zstd,
                    _ => throw new KafkaConfigException(key, $"'{value}' is not one of none, gzip, snappy, lz4, zstd."),
                };
                return true;
            case "maxinflightrequestsperconnection":
                MaxInFlightRequestsPerConnection = ConfigValue.Int(key, value, 1); return true;
            case "partitionerignorekeys": PartitionerIgnoreKeys = ConfigValue.Bool(key, value); return true;
            case "partitioneradaptivepartitioningenable":
                PartitionerAdaptivePartitioningEnable = ConfigValue.Bool(key, value); return true;
            case "partitioneravailabilitytimeoutms":
                PartitionerAvailabilityTimeoutMs = ConfigValue.Int(key, value, 0); return true;
            case "partitionerclass":
                // The Java class names of the built-in partitioners mean "the default" here.
                if (!string.IsNullOrWhiteSpace(value) && !value.Contains("DefaultPartitioner", StringComparison.Ordinal)
                    && !value.Contains("BuiltInPartitioner", StringComparison.Ordinal))
                    throw new KafkaConfigException(key, $"'{value}' is not supported; implement IPartitioner instead.");
                return true;
            case "transactionalid": TransactionalId = ConfigValue.Optional(value); return true;
            case "compressiongziplevel" or "compressionlz4level" or "compressionzstdlevel":
                _ = ConfigValue.Int(key, value); return true;
            default: return base.TryApply(normalizedKey, key, value);
        }
    }
}
