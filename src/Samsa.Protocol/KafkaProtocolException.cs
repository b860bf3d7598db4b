namespace Samsa.Protocol;

/// <summary>Base of every error raised while decoding or encoding Kafka bytes.</summary>
public class KafkaProtocolException : Exception
{
    public KafkaProtocolException(string message) : base(message) { }
    public KafkaProtocolException(string message, Exception inner) : base(message, inner) { }
}
