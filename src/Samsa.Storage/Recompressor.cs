using System.Buffers;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Storage;

/// <summary>
/// compression.type other than <c>producer</c>: batches in another codec are decoded and rebuilt with
/// the topic's codec (producer id, epoch, sequence, timestamps, keys, values and headers kept). This is
/// the one append path that touches records one by one, as in Kafka.
/// </summary>
internal static class Recompressor
{
    public static byte[] Recompress(ReadOnlySpan<byte> records, CompressionType target)
    {
        var output = new ArrayBufferWriter<byte>(records.Length + 256);
        using var builder = new RecordBatchBuilder(Math.Max(16 * 1024, records.Length * 2));
        Header[]? headers = null;
        foreach (RecordBatch batch in RecordBatch.Enumerate(records))
        {
            if (batch.Header.CompressionCodec == (int)target)
            {
                output.Write(batch.Bytes);
                continue;
            }
            builder.ResetLike(batch);
            builder.Compression = target;
            foreach (Record r in batch.GetRecords())
            {
                builder.Append(r.Timestamp, r.Key, r.HasKey, r.Value, r.HasValue, r.CopyHeaders(ref headers));
            }
            output.Write(builder.Build().Span);
        }
        return output.WrittenSpan.ToArray();
    }
}
