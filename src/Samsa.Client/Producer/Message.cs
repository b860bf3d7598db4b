namespace Samsa.Client;

/// <summary>
/// A record to produce. The producer serializes it during the call and keeps no reference, so an
/// instance may be reused for the next send.
/// </summary>
public sealed class Message<TKey, TValue>
{
    public TKey Key { get; set; } = default!;
    public TValue Value { get; set; } = default!;
    public Headers? Headers { get; set; }

    /// <summary>The record's CreateTime; the current time when not set.</summary>
    public DateTimeOffset? Timestamp { get; set; }
}

/// <summary>Where and when a record was written.</summary>
public readonly record struct RecordMetadata(string Topic, int Partition, long Offset, DateTimeOffset Timestamp)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}

/// <summary>
/// The outcome of a fire-and-forget send: <see cref="Error"/> is null on success. With acks=0 the
/// offset is -1 (the broker does not answer).
/// </summary>
public readonly record struct DeliveryReport(RecordMetadata Metadata, KafkaException? Error)
{
    public bool IsSuccess => Error is null;
}
