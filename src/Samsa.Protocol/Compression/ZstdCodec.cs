using System.Buffers;
using Samsa.Protocol.Records;
using ZstdSharp;

namespace Samsa.Protocol.Compression;

/// <summary>
/// Codec id 4: zstd frames, written at level 3 (Kafka's default). Reading streams, so frames with
/// or without a content size (Java's zstd-jni streams omit it) and concatenated frames all work,
/// and the output is bounded as it grows. Contexts are cached per thread: they are not thread-safe
/// and costly to create.
/// </summary>
internal sealed class ZstdCodec : ICompressionCodec
{
    private const int Level = 3;
    private const int ChunkSize = 128 * 1024;

    [ThreadStatic] private static Compressor? t_compressor;
    [ThreadStatic] private static Decompressor? t_decompressor;

    public CompressionType Type => CompressionType.Zstd;

    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Compressor compressor = t_compressor ??= new Compressor(Level);
        Span<byte> span = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        destination.Advance(compressor.Wrap(source, span));
    }

    public void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        Decompressor decompressor = t_decompressor ??= new Decompressor();
        decompressor.ResetStream();
        long total = 0;
        int position = 0;
        int idle = 0;
        while (true)
        {
            // Never offer more room than the limit allows plus one byte, so a bomb stops early.
            int room = (int)Math.Min(ChunkSize, maxDecompressedSize - total + 1);
            Span<byte> span = destination.GetSpan(room)[..room];
            OperationStatus status;
            int consumed, written;
            try
            {
                status = decompressor.UnwrapStream(source[position..], span, out consumed, out written);
            }
            catch (ZstdException e)
            {
                throw new CorruptRecordException($"invalid zstd data: {e.Message}", e);
            }
            position += consumed;
            total += written;
            if (total > maxDecompressedSize)
            {
                throw new DecompressedSizeLimitExceededException(Type, maxDecompressedSize);
            }
            destination.Advance(written);
            idle = consumed == 0 && written == 0 ? idle + 1 : 0;
            switch (status)
            {
                case OperationStatus.Done when position == source.Length:
                    return;
                case OperationStatus.InvalidData:
                    throw new CorruptRecordException("invalid zstd data");
                case OperationStatus.NeedMoreData when position == source.Length:
                    throw new CorruptRecordException("zstd data ends inside a frame");
            }
            if (idle > 2)
            {
                throw new CorruptRecordException("zstd decoder made no progress");
            }
        }
    }
}
