using System.Buffers;

namespace Samsa.Protocol.Compression;

/// <summary>
/// One compression codec as Kafka frames it inside a record batch (the records section is one
/// compressed stream). Implementations are stateless and thread-safe.
/// </summary>
public interface ICompressionCodec
{
    CompressionType Type { get; }

    /// <summary>Appends the compressed form of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination);

    /// <summary>
    /// Appends the decompressed form of <paramref name="source"/> to <paramref name="destination"/>.
    /// Throws <see cref="DecompressedSizeLimitExceededException"/> once more than
    /// <paramref name="maxDecompressedSize"/> bytes would come out, and
    /// <see cref="Records.CorruptRecordException"/> when the input is not valid for the codec.
    /// </summary>
    void Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedSize);
}
