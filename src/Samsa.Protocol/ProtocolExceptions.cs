namespace Samsa.Protocol;

/// <summary>The input ended before a value was complete (a truncated frame or field).</summary>
public sealed class InsufficientDataException : KafkaProtocolException
{
    public InsufficientDataException(string message) : base(message) { }
}

/// <summary>A length or count prefix is negative where null is not allowed, or exceeds the bytes left.</summary>
public sealed class InvalidLengthException : KafkaProtocolException
{
    public InvalidLengthException(string message) : base(message) { }
}

/// <summary>A varint runs longer than 5 bytes (int32) or 10 bytes (int64).</summary>
public sealed class InvalidVarintException : KafkaProtocolException
{
    public InvalidVarintException(string message) : base(message) { }
}

/// <summary>A version outside a message's range, or a value that the chosen version cannot carry
/// (Kafka's UNSUPPORTED_VERSION).</summary>
public sealed class UnsupportedVersionException : KafkaProtocolException
{
    public UnsupportedVersionException(string message) : base(message) { }
}

/// <summary>A frame's size prefix is negative or above the allowed maximum.</summary>
public sealed class InvalidFrameSizeException : KafkaProtocolException
{
    public InvalidFrameSizeException(string message) : base(message) { }
}
