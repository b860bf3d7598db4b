namespace Samsa.Broker.Requests;

/// <summary>
/// A request the broker does not answer: an unknown or unserved API key, a version outside the
/// served range (ApiVersions excepted, see KIP-511), or a malformed header. As in Kafka, the
/// connection it came on is closed.
/// </summary>
public sealed class RejectedRequestException : Exception
{
    public RejectedRequestException(string message) : base(message) { }

    public RejectedRequestException() { }

    public RejectedRequestException(string message, Exception innerException) : base(message, innerException) { }
}
