using System.Text;
using BenchmarkDotNet.Attributes;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Records;

/// <summary>
/// Building and iterating a 1,000-record batch (16-byte keys, ~190-byte JSON values, one header).
/// Figures are per record (OperationsPerInvoke = 1000), so "Allocated" reads as bytes per record.
/// </summary>
[MemoryDiagnoser]
public class RecordBatchBenchmarks
{
    private const int Records = 1000;
    private byte[][] _keys = [];
    private byte[][] _values = [];
    private readonly Header[] _headers = [new("source", Encoding.UTF8.GetBytes("bench"))];
    private RecordBatchBuilder _builder = null!;
    private byte[] _batch = [];

    [Params(CompressionType.None, CompressionType.Lz4, CompressionType.Zstd)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _keys = new byte[Records][];
        _values = new byte[Records][];
        for (int i = 0; i < Records; i++)
        {
            _keys[i] = Encoding.UTF8.GetBytes($"user-{random.Next(100000):D11}");
            _values[i] = BenchData.JsonEvent(random, i);
        }
        _builder = new RecordBatchBuilder();
        _batch = Build().ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _builder.Dispose();

    private ReadOnlyMemory<byte> Build()
    {
        _builder.Reset();
        _builder.Compression = Codec;
        _builder.ProducerId = 1000;
        _builder.ProducerEpoch = 0;
        _builder.BaseSequence = 0;
        long timestamp = 1_700_000_000_000;
        for (int i = 0; i < Records; i++)
        {
            _builder.Append(timestamp + i, _keys[i], _values[i], _headers);
        }
        return _builder.Build();
    }

    /// <summary>Append 1,000 records and finish the batch (compression and CRC included), per record.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public int BuildBatch() => Build().Length;

    /// <summary>Validate (CRC) and read every record's key, value and headers, per record.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long IterateBatch()
    {
        var batch = new RecordBatch(_batch);
        batch.Validate();
        long sum = 0;
        foreach (Record record in batch)
        {
            sum += record.Offset + record.Key.Length + record.Value.Length;
            foreach (RecordHeader header in record.Headers)
            {
                sum += header.Value.Length;
            }
        }
        return sum;
    }
}
