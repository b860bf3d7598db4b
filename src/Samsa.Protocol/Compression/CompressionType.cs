namespace Samsa.Protocol.Compression;

/// <summary>Kafka's codec ids, bits 0-2 of a record batch's attributes.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
