using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Storage;

/// <summary>A compacted topic keeps the latest record per key, so a record without a key has no place in it.</summary>
internal static class CompactedKeys
{
    public const string MissingKey = "Compacted topic cannot accept message without key";

    /// <summary>INVALID_RECORD (Kafka's message) for a keyless record, CORRUPT_MESSAGE when the records cannot be read.</summary>
    public static ErrorCode Check(ReadOnlySpan<byte> batch, out string? why)
    {
        why = null;
        try
        {
            var rb = new RecordBatch(batch);
            foreach (Record r in rb.GetRecords())
            {
                if (!r.HasKey)
                {
                    why = MissingKey;
                    return ErrorCode.InvalidRecord;
                }
            }
            return ErrorCode.None;
        }
        catch (Exception e) when (e is KafkaProtocolException or InvalidDataException or ArgumentException)
        {
            why = $"records could not be read: {e.Message}";
            return ErrorCode.CorruptMessage;
        }
    }
}
