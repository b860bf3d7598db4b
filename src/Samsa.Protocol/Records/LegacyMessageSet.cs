using System.Buffers;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>What an up-conversion read: records, the highest magic and the first wrapper's codec.</summary>
public readonly record struct LegacyConversion(int RecordCount, byte Magic, CompressionType SourceCompression);

/// <summary>
/// Conversions between magic 0/1 message sets (produce v0-2, fetch v0-3) and magic 2 record
/// batches, as Kafka brokers did them. Both allocate; the magic 2 paths never come here.
/// </summary>
public static class LegacyMessageSet
{
    /// <summary>
    /// Up-conversion (produce v0-2): checks every message of <paramref name="messageSet"/> and
    /// appends its records, compressed wrappers flattened, to <paramref name="builder"/> with offsets
    /// from 0 and the timestamps carried (-1, Kafka's NO_TIMESTAMP, for magic 0). The builder's
    /// compression becomes the first wrapper's codec, as Kafka keeps the producer's. Throws
    /// <see cref="CorruptRecordException"/> (CORRUPT_MESSAGE: CRC, sizes, truncation, bad compressed
    /// data; <see cref="UnsupportedCompressionTypeException"/> for zstd or unknown codecs) or
    /// <see cref="InvalidRecordException"/> (INVALID_RECORD: magic 2 or above, empty set, nested
    /// compression, mixed magic in a wrapper).
    /// </summary>
    public static LegacyConversion AppendTo(ReadOnlySpan<byte> messageSet, RecordBatchBuilder builder,
        int maxDecompressedSize = RecordBatch.DefaultMaxDecompressedSize)
    {
        if (messageSet.IsEmpty)
        {
            throw new InvalidRecordException("the message set holds no messages");
        }
        var messages = new LegacyMessageEnumerator(messageSet, maxDecompressedSize);
        try
        {
            long offset = 0;
            while (messages.MoveNext())
            {
                LegacyMessage m = messages.Current;
                builder.AppendWithOffset(offset++, m.Timestamp, m.Key, m.HasKey, m.Value, m.HasValue);
            }
            builder.Compression = messages.SourceCompression;
            return new LegacyConversion(builder.RecordCount, messages.Magic, messages.SourceCompression);
        }
        finally
        {
            messages.Dispose();
        }
    }

    /// <summary>
    /// Down-conversion (fetch v0-3): rewrites the magic 2 batches in <paramref name="batches"/> (a
    /// trailing partial batch is ignored) as a <paramref name="magic"/> 0 or 1 message set appended
    /// to <paramref name="output"/>, as Kafka did: control batches and records before
    /// <paramref name="fetchOffset"/> left out; offsets, keys, values kept; timestamps kept for
    /// magic 1 (LogAppendTime batches become LogAppendTime messages); headers dropped; each
    /// compressed batch one wrapper with the same codec (zstd, unknown before magic 2, goes
    /// uncompressed). Stops before a batch that would take the output past <paramref name="maxBytes"/>,
    /// but always converts the first one with records so that a consumer makes progress.
    /// Returns the bytes written.
    /// </summary>
    public static int DownConvert(ReadOnlySpan<byte> batches, byte magic, long fetchOffset, int maxBytes, IBufferWriter<byte> output)
    {
        int written = 0;
        using var builder = new LegacyMessageSetBuilder(magic);
        foreach (RecordBatch batch in RecordBatch.Enumerate(batches))
        {
            if (batch.IsControl || batch.LastOffset < fetchOffset)
            {
                continue;
            }
            CompressionType compression = batch.CompressionType > CompressionType.Lz4 ? CompressionType.None : batch.CompressionType;
            builder.Reset(magic, compression, batch.TimestampType);
            foreach (Record r in batch.GetRecords())
            {
                if (r.Offset >= fetchOffset)
                {
                    builder.Append(r.Offset, r.Timestamp, r.Key, r.HasKey, r.Value, r.HasValue);
                }
            }
            if (builder.RecordCount == 0)
            {
                continue;
            }
            ReadOnlySpan<byte> set = builder.Build();
            if (written > 0 && (long)written + set.Length > maxBytes)
            {
                break;
            }
            set.CopyTo(output.GetSpan(set.Length));
            output.Advance(set.Length);
            written += set.Length;
        }
        return written;
    }
}
