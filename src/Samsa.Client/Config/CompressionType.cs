namespace Samsa.Client;

/// <summary>compression.type, with the codec ids of the record batch attributes.</summary>
public enum CompressionType
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
