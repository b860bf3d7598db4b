namespace Samsa.Protocol.Records;

/// <summary>
/// Readable bytes that break a rule of the message format, such as a compressed message nested in
/// a compressed message (Kafka's INVALID_RECORD, error 87).
/// </summary>
public sealed class InvalidRecordException : KafkaProtocolException
{
    public InvalidRecordException(string message) : base(message) { }
}
