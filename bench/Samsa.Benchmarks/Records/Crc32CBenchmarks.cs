using BenchmarkDotNet.Attributes;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Records;

/// <summary>CRC-32C over 1 MiB: the checksum every produced batch is validated with.</summary>
[MemoryDiagnoser]
public class Crc32CBenchmarks
{
    private byte[] _data = [];

    [GlobalSetup]
    public void Setup() => _data = BenchData.JsonText(1024 * 1024);

    [Benchmark]
    public uint Crc32C_1MiB() => Crc32C.Compute(_data);
}
