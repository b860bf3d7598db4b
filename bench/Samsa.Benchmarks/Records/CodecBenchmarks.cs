using System.Buffers;
using BenchmarkDotNet.Attributes;
using Samsa.Protocol.Compression;

namespace Samsa.Benchmarks.Records;

/// <summary>Each codec compressing and decompressing 1 MiB of JSON lines.</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const int Size = 1024 * 1024;
    private byte[] _data = [];
    private byte[] _compressed = [];
    private ICompressionCodec _codec = CompressionCodecs.None;
    private readonly ArrayBufferWriter<byte> _output = new(2 * Size);

    [Params(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchData.JsonText(Size);
        _codec = CompressionCodecs.Get(Codec);
        var compressed = new ArrayBufferWriter<byte>();
        _codec.Compress(_data, compressed);
        _compressed = compressed.WrittenSpan.ToArray();
        Console.WriteLine($"// {Codec}: 1 MiB -> {_compressed.Length} bytes (ratio {(double)Size / _compressed.Length:F2})");
    }

    [Benchmark]
    public int Compress_1MiB()
    {
        _output.ResetWrittenCount();
        _codec.Compress(_data, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int Decompress_1MiB()
    {
        _output.ResetWrittenCount();
        _codec.Decompress(_compressed, _output, 2 * Size);
        return _output.WrittenCount;
    }
}
