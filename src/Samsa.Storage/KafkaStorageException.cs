using Samsa.Protocol;

namespace Samsa.Storage;

/// <summary>
/// A partition's files cannot be used (corruption that recovery may not repair, or an I/O failure).
/// The partition is offline: every call on it fails with this (Kafka's KAFKA_STORAGE_ERROR, 56).
/// </summary>
public sealed class KafkaStorageException : IOException
{
    public KafkaStorageException(string message) : base(message) { }
    public KafkaStorageException(string message, Exception inner) : base(message, inner) { }

    public static ErrorCode ErrorCode => ErrorCode.KafkaStorageError;
}
