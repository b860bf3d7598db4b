namespace Samsa.Storage;

/// <summary>
/// The Kafka error codes the storage layer can answer with. The numeric values are Kafka's, so the
/// broker can cast them to the protocol's error code enum unchanged.
/// </summary>
public enum StorageErrorCode : short
{
    None = 0,
    UnknownServerError = -1,
    OffsetOutOfRange = 1,
    CorruptMessage = 2,
    MessageTooLarge = 10,
    RecordListTooLarge = 18,
    InvalidTimestamp = 32,
    UnsupportedForMessageFormat = 43,
    OutOfOrderSequenceNumber = 45,
    DuplicateSequenceNumber = 46,
    InvalidProducerEpoch = 47,
    KafkaStorageError = 56,
    InvalidRecord = 87,
}
