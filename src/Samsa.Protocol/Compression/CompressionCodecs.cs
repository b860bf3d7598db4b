namespace Samsa.Protocol.Compression;

/// <summary>The codec for each Kafka compression id.</summary>
public static class CompressionCodecs
{
    public static ICompressionCodec None { get; } = new NoCompressionCodec();
    public static ICompressionCodec Gzip { get; } = new GzipCodec();
    public static ICompressionCodec Snappy { get; } = new SnappyCodec();
    public static ICompressionCodec Lz4 { get; } = new Lz4Codec();
    public static ICompressionCodec Zstd { get; } = new ZstdCodec();

    public static ICompressionCodec Get(CompressionType type) => Get((int)type);

    /// <summary>The codec for an attributes codec id; <see cref="UnsupportedCompressionTypeException"/> for others.</summary>
    public static ICompressionCodec Get(int codecId) => codecId switch
    {
        0 => None,
        1 => Gzip,
        2 => Snappy,
        3 => Lz4,
        4 => Zstd,
        _ => throw new UnsupportedCompressionTypeException(codecId),
    };

    /// <summary>Kafka's <c>compression.type</c> names: none, gzip, snappy, lz4, zstd (case-insensitive).</summary>
    public static bool TryParse(string? name, out CompressionType type)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "none": type = CompressionType.None; return true;
            case "gzip": type = CompressionType.Gzip; return true;
            case "snappy": type = CompressionType.Snappy; return true;
            case "lz4": type = CompressionType.Lz4; return true;
            case "zstd": type = CompressionType.Zstd; return true;
            default: type = CompressionType.None; return false;
        }
    }

    /// <summary>The Kafka config name of a codec (<c>"gzip"</c>, ...).</summary>
    public static string Name(CompressionType type) => type switch
    {
        CompressionType.None => "none",
        CompressionType.Gzip => "gzip",
        CompressionType.Snappy => "snappy",
        CompressionType.Lz4 => "lz4",
        CompressionType.Zstd => "zstd",
        _ => throw new UnsupportedCompressionTypeException((int)type),
    };
}
