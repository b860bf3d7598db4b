using System.Buffers;
using System.IO.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Compression;

/// <summary>Codec id 1: a gzip stream (RFC 1952), written at zlib's default level 6 as Kafka does.</summary>
internal sealed class GzipCodec : ICompressionCodec
{
    private const int ChunkSize = 64 * 1024;

    public CompressionType Type => CompressionType.Gzip;

    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        using var gzip = new GZipStream(new BufferWriterStream(destination), CompressionLevel.Optimal, leaveOpen: false);
        gzip.Write(source);
    }

    public void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        // GZipStream only reads from a Stream, so the compressed bytes go through a pooled array.
        byte[] input = ArrayPool<byte>.Shared.Rent(source.Length);
        try
        {
            source.CopyTo(input);
            using var gzip = new GZipStream(new MemoryStream(input, 0, source.Length, writable: false), CompressionMode.Decompress);
            long total = 0;
            while (true)
            {
                Span<byte> span = destination.GetSpan(ChunkSize);
                int n = gzip.Read(span);
                if (n == 0)
                {
                    break;
                }
                total += n;
                if (total > maxDecompressedSize)
                {
                    throw new DecompressedSizeLimitExceededException(Type, maxDecompressedSize);
                }
                destination.Advance(n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new CorruptRecordException($"invalid gzip data: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }
}
