namespace Samsa.Protocol.Records;

/// <summary>Bytes that should be a record batch are not one (Kafka's CORRUPT_MESSAGE, error 2).</summary>
public sealed class CorruptRecordException : KafkaProtocolException
{
    public CorruptRecordException(string message) : base(message) { }
}
