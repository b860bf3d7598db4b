using System.Buffers;

namespace Samsa.Protocol.Compression;

/// <summary>Codec id 0: the bytes as they are.</summary>
internal sealed class NoCompressionCodec : ICompressionCodec
{
    public CompressionType Type => CompressionType.None;

    public void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination) => destination.Write(source);

    public void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize)
    {
        if (source.Length > maxDecompressedSize)
        {
            throw new DecompressedSizeLimitExceededException(Type, maxDecompressedSize);
        }
        destination.Write(source);
    }
}
