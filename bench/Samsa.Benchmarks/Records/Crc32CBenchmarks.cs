using System.Numerics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Records;

/// <summary>
/// CRC-32C over 1 MiB: the checksum every produced batch is validated with. The baseline is the
/// single dependent chain of CRC instructions (the previous implementation), measured in the same run.
/// </summary>
[MemoryDiagnoser]
public class Crc32CBenchmarks
{
    private byte[] _data = [];

    [GlobalSetup]
    public void Setup() => _data = BenchData.JsonText(1024 * 1024);

    [Benchmark]
    public uint Crc32C_1MiB() => Crc32C.Compute(_data);

    [Benchmark(Baseline = true)]
    public uint SingleChain_1MiB()
    {
        uint state = ~0u;
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(_data);
        foreach (ulong w in words)
        {
            state = BitOperations.Crc32C(state, w);
        }
        foreach (byte b in _data.AsSpan(words.Length * sizeof(ulong)))
        {
            state = BitOperations.Crc32C(state, b);
        }
        return ~state;
    }
}
