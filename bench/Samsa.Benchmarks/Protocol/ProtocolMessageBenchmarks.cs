using System.Buffers;
using BenchmarkDotNet.Attributes;
using Samsa.Benchmarks.Records;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Protocol;

/// <summary>The generated codecs on the two hot paths: decoding a Produce request (header and body,
/// records sliced without a copy) and encoding a Fetch response (size prefix, header, body with the
/// records bytes copied into the output).</summary>
[MemoryDiagnoser]
public class ProtocolMessageBenchmarks
{
    private const int BatchTarget = 16 * 1024;
    private byte[] _produceFrame = [];
    private FetchResponse _fetch = new();
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);

    /// <summary>Produce v9/Fetch v12 are the first flexible versions; v3/v11 the classic encoding.</summary>
    [Params(false, true)]
    public bool Flexible { get; set; }

    private short ProduceVersion => Flexible ? (short)9 : (short)3;

    private short FetchVersion => Flexible ? (short)12 : (short)11;

    private static byte[] Batch()
    {
        using var builder = new RecordBatchBuilder();
        var random = new Random(7);
        int i = 0;
        int size = 0;
        while (size < BatchTarget)
        {
            byte[] value = BenchData.JsonEvent(random, i++);
            builder.Append(1_700_000_000_000L + i, null, value);
            size += value.Length + 10;
        }
        return builder.Build().ToArray();
    }

    [GlobalSetup]
    public void Setup()
    {
        byte[] batch = Batch();
        Console.WriteLine($"// batch of {batch.Length} bytes");
        var produce = new ProduceRequest
        {
            TransactionalId = null,
            Acks = -1,
            TimeoutMs = 30_000,
            TopicData =
            [
                new ProduceRequest.TopicProduceData
                {
                    Name = "events",
                    PartitionData = [new ProduceRequest.PartitionProduceData { Index = 3, Records = batch }],
                },
            ],
        };
        var header = new RequestHeader
        {
            RequestApiKey = (short)ApiKey.Produce,
            RequestApiVersion = ProduceVersion,
            CorrelationId = 1234,
            ClientId = "bench-producer",
        };
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteRequest(output, header, produce);
        _produceFrame = output.WrittenSpan[Frame.SizePrefixLength..].ToArray();

        _fetch = new FetchResponse
        {
            ThrottleTimeMs = 0,
            ErrorCode = 0,
            SessionId = 17,
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    Topic = "events",
                    Partitions =
                    [
                        new FetchResponse.PartitionData
                        {
                            PartitionIndex = 3,
                            HighWatermark = 1_000_000,
                            LastStableOffset = 1_000_000,
                            LogStartOffset = 0,
                            AbortedTransactions = null,
                            PreferredReadReplica = -1,
                            Records = batch,
                        },
                    ],
                },
            ],
        };
    }

    [Benchmark]
    public int DecodeProduceRequest16KiB()
    {
        var reader = new KafkaReader(_produceFrame);
        var header = Frame.ReadRequestHeader(ref reader);
        var request = ProduceRequest.Read(ref reader, header.RequestApiVersion);
        return request.TopicData[0].PartitionData[0].Records!.Value.Length;
    }

    [Benchmark]
    public int EncodeFetchResponse16KiB()
    {
        _output.ResetWrittenCount();
        Frame.WriteResponse(_output, 1234, ApiKey.Fetch, FetchVersion, _fetch);
        return _output.WrittenCount;
    }
}
