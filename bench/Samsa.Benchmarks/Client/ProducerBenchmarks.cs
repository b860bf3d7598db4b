using BenchmarkDotNet.Attributes;
using Samsa.Client;
using Samsa.Client.Network;
using Samsa.Protocol;

namespace Samsa.Benchmarks.Client;

/// <summary>
/// The producer's client-side path per record: serialize key and value, pick the partition
/// (murmur2 for keys, sticky otherwise), append into the partition's pooled batch buffer, then
/// seal (header, compression, CRC-32C) and acknowledge the batches as the sender would after a
/// response. No network: the point is the allocation and CPU cost of accumulate + encode.
/// </summary>
[MemoryDiagnoser]
public class ProducerBenchmarks
{
    private const int RecordsPerInvoke = 10_000;

    private Producer<string, byte[]> _producer = null!;
    private readonly Message<string, byte[]> _message = new();
    private string[] _keys = [];
    private long _delivered;
    private Action<DeliveryReport> _onDelivery = null!;

    [Params(CompressionType.None, CompressionType.Lz4)]
    public CompressionType Compression { get; set; }

    [Params(true, false)]
    public bool Keyed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = "127.0.0.1:9",
            CompressionType = Compression,
            LingerMs = 1000,
        };
        _producer = new Producer<string, byte[]>(config, null, null, null, null, startSender: false);
        var partitions = Enumerable.Range(0, 6).Select(p => new PartitionInfo(p, 0, 0, [0], [0], ErrorCode.None)).ToArray();
        _producer.Cluster.SetMetadata(new ClusterMetadata("bench", 0,
            new Dictionary<int, BrokerInfo> { [0] = new(0, "127.0.0.1", 9, null) },
            new Dictionary<string, TopicInfo>(StringComparer.Ordinal) { ["events"] = new("events", Guid.NewGuid(), false, partitions, ErrorCode.None) },
            DateTime.UtcNow.AddYears(1)));
        _keys = Enumerable.Range(0, 1000).Select(i => $"user-{i:D6}").ToArray();
        var value = new byte[200];
        new Random(1).NextBytes(value);
        _message.Value = value;
        _message.Headers = new Headers().Add("source", "bench"u8.ToArray());
        _onDelivery = report => _delivered++;
        // Warm the pools once so the measured runs are steady state.
        Produce();
    }

    [GlobalCleanup]
    public void Cleanup() => _producer.Close(TimeSpan.Zero);

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke)]
    public long Produce()
    {
        for (var i = 0; i < RecordsPerInvoke; i++)
        {
            _message.Key = Keyed ? _keys[i % _keys.Length] : null!;
            _producer.Produce("events", _message, _onDelivery);
        }
        _producer.Sender.CompleteLocally(0);
        return _delivered;
    }
}
