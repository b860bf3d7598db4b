using Samsa.Protocol.Records;

namespace Samsa.Protocol.Compression;

/// <summary>A batch names a compression codec id that does not exist (only 0-4 do).</summary>
public sealed class UnsupportedCompressionTypeException : CorruptRecordException
{
    public UnsupportedCompressionTypeException(int codecId)
        : base($"unknown compression codec id {codecId} (known: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)")
    {
        CodecId = codecId;
    }

    public int CodecId { get; }
}

/// <summary>
/// Decompressing would produce more bytes than the caller allows: a guard against small inputs
/// that expand to gigabytes (decompression bombs).
/// </summary>
public sealed class DecompressedSizeLimitExceededException : CorruptRecordException
{
    public DecompressedSizeLimitExceededException(CompressionType codec, int limit)
        : base($"{codec} data decompresses to more than the allowed {limit} bytes")
    {
        Limit = limit;
    }

    public int Limit { get; }
}
