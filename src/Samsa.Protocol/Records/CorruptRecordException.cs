namespace Samsa.Protocol.Records;

/// <summary>
/// Bytes that should be a record batch are not one (Kafka's CORRUPT_MESSAGE, error 2). The more
/// specific kinds below derive from it, so one catch covers every unreadable batch.
/// </summary>
public class CorruptRecordException : KafkaProtocolException
{
    public CorruptRecordException(string message) : base(message) { }
    public CorruptRecordException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A batch in message format v0 or v1 (magic 0/1), which Samsa does not read or write.</summary>
public sealed class UnsupportedMessageFormatException : CorruptRecordException
{
    public UnsupportedMessageFormatException(byte magic)
        : base($"message format v{magic} (magic {magic}) is not supported; only record batches with magic 2 are")
    {
        Magic = magic;
    }

    public byte Magic { get; }
}
