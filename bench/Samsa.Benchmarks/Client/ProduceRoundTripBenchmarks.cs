using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Samsa.Client;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Benchmarks.Client;

/// <summary>
/// The producer's round trips at the Java defaults (batch.size 16 KiB, linger.ms 5, five requests
/// in flight, idempotence, acks=all): 1 KiB records to one partition, against an in-process loopback
/// server that acknowledges each produce request with a canned answer (no log, no validation, one
/// write per receive). What is measured is the client's cost per request: its threads, wake-ups,
/// syscalls and per-request objects, plus the small fixed work of the stand-in. The threading
/// columns (thread-pool work items and lock contentions per record) do not depend on how busy the
/// machine is, the times do.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class ProduceRoundTripBenchmarks
{
    private const int RecordsPerInvoke = 15_000; // about 1,000 requests of 15 records

    private AckServer _server = null!;
    private Producer<byte[]?, byte[]> _producer = null!;
    private readonly Message<byte[]?, byte[]> _message = new() { Value = new byte[1024] };
    private Action<DeliveryReport> _onDelivery = null!;
    private long _delivered;

    [GlobalSetup]
    public void Setup()
    {
        _server = new AckServer("events");
        _producer = new Producer<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = $"127.0.0.1:{_server.Port}" },
            Serializers.ByteArray!, Serializers.ByteArray);
        _onDelivery = report => { if (report.IsSuccess) _delivered++; };
        ProduceAndFlush(); // connections, producer id and pools warm before measuring
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _producer.Dispose();
        _server.Dispose();
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke)]
    public long ProduceAndFlush()
    {
        for (var i = 0; i < RecordsPerInvoke; i++) _producer.Produce("events", _message, _onDelivery);
        if (!_producer.Flush(TimeSpan.FromSeconds(60))) throw new TimeoutException("The stand-in did not acknowledge everything.");
        return _delivered;
    }

    /// <summary>
    /// Answers ApiVersions, Metadata (one topic, one partition, led by itself), InitProducerId and
    /// Produce (success at offset 0) on blocking sockets, one thread per connection.
    /// </summary>
    private sealed class AckServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _accepted = [];
        private readonly string _topic;

        public AckServer(string topic)
        {
            _topic = topic;
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            new Thread(Accept) { IsBackground = true, Name = "ack-server" }.Start();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public void Dispose()
        {
            _listener.Dispose();
            lock (_accepted)
            {
                foreach (var s in _accepted) s.Dispose();
            }
        }

        private void Accept()
        {
            while (true)
            {
                Socket socket;
                try { socket = _listener.Accept(); }
                catch (Exception) { return; }
                socket.NoDelay = true;
                lock (_accepted) _accepted.Add(socket);
                new Thread(() => Serve(socket)) { IsBackground = true, Name = "ack-server-connection" }.Start();
            }
        }

        private void Serve(Socket socket)
        {
            var buffer = new byte[1 << 20];
            var output = new ArrayBufferWriter<byte>(4096);
            int start = 0, end = 0;
            try
            {
                while (true)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    var n = socket.Receive(buffer.AsSpan(end));
                    if (n == 0) return;
                    end += n;
                    while (end - start >= 4)
                    {
                        var size = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));
                        if (end - start - 4 < size) break;
                        Answer(buffer.AsMemory(start + 4, size), output);
                        start += 4 + size;
                    }
                    if (output.WrittenCount > 0)
                    {
                        socket.Send(output.WrittenSpan);
                        output.ResetWrittenCount();
                    }
                }
            }
            catch (Exception)
            {
                // The benchmark closed the connection.
            }
        }

        private void Answer(ReadOnlyMemory<byte> frame, ArrayBufferWriter<byte> output)
        {
            var reader = new KafkaReader(frame);
            var header = Frame.ReadRequestHeader(ref reader);
            var key = (ApiKey)header.RequestApiKey;
            var version = header.RequestApiVersion;
            IKafkaMessage body = key switch
            {
                ApiKey.ApiVersions => Versions(),
                ApiKey.Metadata => new MetadataResponse
                {
                    Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 0, Host = "127.0.0.1", Port = Port }],
                    ClusterId = "bench",
                    ControllerId = 0,
                    Topics =
                    [
                        new MetadataResponse.MetadataResponseTopic
                        {
                            Name = _topic,
                            TopicId = Guid.NewGuid(),
                            Partitions = [new MetadataResponse.MetadataResponsePartition { PartitionIndex = 0, LeaderId = 0, ReplicaNodes = [0], IsrNodes = [0] }],
                        },
                    ],
                },
                ApiKey.InitProducerId => new InitProducerIdResponse { ProducerId = 1, ProducerEpoch = 0 },
                ApiKey.Produce => new ProduceResponse
                {
                    Responses =
                    [
                        new ProduceResponse.TopicProduceResponse
                        {
                            Name = _topic,
                            PartitionResponses = [new ProduceResponse.PartitionProduceResponse { Index = 0, BaseOffset = 0, LogAppendTimeMs = -1 }],
                        },
                    ],
                },
                _ => throw new NotSupportedException($"The stand-in does not serve {key}."),
            };
            Frame.WriteResponse(output, header.CorrelationId, key, version, body);
        }

        private static ApiVersionsResponse Versions()
        {
            var response = new ApiVersionsResponse { ErrorCode = 0, ApiKeys = [] };
            foreach (var key in new[] { ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.InitProducerId, ApiKey.Produce })
            {
                ApiVersionsTable.TryGetRange(key, out var range);
                response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)key, MinVersion = range.MinVersion, MaxVersion = range.MaxVersion });
            }
            return response;
        }
    }
}
