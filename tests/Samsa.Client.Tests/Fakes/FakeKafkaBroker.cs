using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Client.Tests.Fakes;

/// <summary>
/// A single-node, in-memory Kafka stand-in for client unit tests: enough of Metadata, Produce
/// (offsets, idempotent sequence checks), Fetch, ListOffsets, InitProducerId and a classic group
/// coordinator to drive the client's state machines without the real broker. Requests on one
/// connection are handled in order, as Kafka does. Not a broker: no persistence, no replication.
/// </summary>
internal sealed partial class FakeKafkaBroker : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _accept;
    private readonly object _lock = new();
    private readonly Dictionary<string, List<PartitionLog>> _topics = new(StringComparer.Ordinal);
    private long _nextProducerId = 1000;

    public FakeKafkaBroker(int defaultPartitions = 1)
    {
        DefaultPartitions = defaultPartitions;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = Task.Run(AcceptAsync);
    }

    public int DefaultPartitions { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The port Metadata and FindCoordinator advertise (a proxy in front, for instance).</summary>
    public int? AdvertisedPort { get; set; }
    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>When set, Produce answers this error (once per call to the setter's count).</summary>
    public int ProduceRequests;

    /// <summary>Answer a produce request's topics and partitions in the reverse of the request's order (Kafka does not promise an order).</summary>
    public bool ReverseProduceAnswers { get; set; }

    public void CreateTopic(string name, int partitions)
    {
        lock (_lock)
        {
            if (_topics.ContainsKey(name)) return;
            _topics[name] = Enumerable.Range(0, partitions).Select(_ => new PartitionLog()).ToList();
        }
    }

    /// <summary>All batches of a partition, as stored (offsets assigned).</summary>
    public List<byte[]> Batches(string topic, int partition)
    {
        lock (_lock) return _topics[topic][partition].Batches.Select(b => b.Bytes).ToList();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            lock (_clients) _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var size = new byte[4];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await stream.ReadExactlyAsync(size, _stop.Token);
                var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
                await stream.ReadExactlyAsync(frame, _stop.Token);
                var response = await HandleAsync(frame);
                if (response is not null) await stream.WriteAsync(response, _stop.Token);
            }
        }
        catch (Exception)
        {
        }
        client.Dispose();
    }

    private async Task<byte[]?> HandleAsync(byte[] frame)
    {
        var reader = new KafkaReader(frame);
        var header = Frame.ReadRequestHeader(ref reader);
        var key = (ApiKey)header.RequestApiKey;
        var version = header.RequestApiVersion;
        IKafkaMessage? body = key switch
        {
            ApiKey.ApiVersions => ApiVersions(),
            ApiKey.Metadata => Metadata(MetadataRequest.Read(ref reader, version)),
            ApiKey.Produce => Produce(ProduceRequest.Read(ref reader, version)),
            ApiKey.Fetch => await FetchAsync(FetchRequest.Read(ref reader, version)),
            ApiKey.ListOffsets => ListOffsets(ListOffsetsRequest.Read(ref reader, version)),
            ApiKey.InitProducerId => InitProducerId(InitProducerIdRequest.Read(ref reader, version)),
            ApiKey.FindCoordinator => FindCoordinator(),
            ApiKey.CreateTopics => CreateTopics(CreateTopicsRequest.Read(ref reader, version)),
            ApiKey.JoinGroup => await JoinGroupAsync(JoinGroupRequest.Read(ref reader, version), version),
            ApiKey.SyncGroup => await SyncGroupAsync(SyncGroupRequest.Read(ref reader, version)),
            ApiKey.Heartbeat => Heartbeat(HeartbeatRequest.Read(ref reader, version)),
            ApiKey.LeaveGroup => LeaveGroup(LeaveGroupRequest.Read(ref reader, version)),
            ApiKey.OffsetCommit => OffsetCommit(OffsetCommitRequest.Read(ref reader, version)),
            ApiKey.OffsetFetch => OffsetFetch(OffsetFetchRequest.Read(ref reader, version)),
            _ => throw new NotSupportedException($"The fake broker does not serve {key}."),
        };
        if (body is null) return null;
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteResponse(output, header.CorrelationId, key, version, body);
        return output.WrittenSpan.ToArray();
    }

    private static readonly ApiKey[] Served =
    [
        ApiKey.ApiVersions, ApiKey.Metadata, ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.InitProducerId,
        ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup,
        ApiKey.OffsetCommit, ApiKey.OffsetFetch, ApiKey.CreateTopics,
    ];

    private static ApiVersionsResponse ApiVersions()
    {
        var response = new ApiVersionsResponse { ErrorCode = 0, ApiKeys = [] };
        foreach (var key in Served)
        {
            ApiVersionsTable.TryGetRange(key, out var range);
            var max = key switch
            {
                ApiKey.FindCoordinator => (short)3,
                ApiKey.Fetch => (short)12,
                ApiKey.OffsetFetch => (short)7,
                ApiKey.OffsetCommit => (short)8,
                _ => range.MaxVersion,
            };
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)key, MinVersion = range.MinVersion, MaxVersion = max });
        }
        return response;
    }

    private MetadataResponse Metadata(MetadataRequest request)
    {
        var response = new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 0, Host = "127.0.0.1", Port = AdvertisedPort ?? Port }],
            ClusterId = "fake",
            ControllerId = 0,
            Topics = [],
        };
        lock (_lock)
        {
            var names = request.Topics?.Select(t => t.Name!).ToList() ?? [.. _topics.Keys];
            foreach (var name in names)
            {
                if (!_topics.ContainsKey(name) && request.AllowAutoTopicCreation) CreateTopic(name, DefaultPartitions);
                if (!_topics.TryGetValue(name, out var partitions))
                {
                    response.Topics.Add(new MetadataResponse.MetadataResponseTopic { Name = name, ErrorCode = (short)ErrorCode.UnknownTopicOrPartition });
                    continue;
                }
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic
                {
                    Name = name,
                    TopicId = Guid.NewGuid(),
                    Partitions = partitions.Select((_, i) => new MetadataResponse.MetadataResponsePartition
                    {
                        PartitionIndex = i,
                        LeaderId = 0,
                        LeaderEpoch = 0,
                        ReplicaNodes = [0],
                        IsrNodes = [0],
                    }).ToList(),
                });
            }
        }
        return response;
    }

    private CreateTopicsResponse CreateTopics(CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse { Topics = [] };
        lock (_lock)
        {
            foreach (var t in request.Topics)
            {
                var exists = _topics.ContainsKey(t.Name);
                if (!exists) CreateTopic(t.Name, t.NumPartitions > 0 ? t.NumPartitions : DefaultPartitions);
                response.Topics.Add(new CreateTopicsResponse.CreatableTopicResult
                {
                    Name = t.Name,
                    ErrorCode = (short)(exists ? ErrorCode.TopicAlreadyExists : ErrorCode.None),
                });
            }
        }
        return response;
    }

    private InitProducerIdResponse InitProducerId(InitProducerIdRequest request)
    {
        lock (_lock)
        {
            if (request.ProducerId >= 0) return new InitProducerIdResponse { ProducerId = request.ProducerId, ProducerEpoch = (short)(request.ProducerEpoch + 1) };
            return new InitProducerIdResponse { ProducerId = _nextProducerId++, ProducerEpoch = 0 };
        }
    }

    private ProduceResponse? Produce(ProduceRequest request)
    {
        Interlocked.Increment(ref ProduceRequests);
        var response = new ProduceResponse { Responses = [] };
        lock (_lock)
        {
            foreach (var t in request.TopicData)
            {
                var topicResponse = new ProduceResponse.TopicProduceResponse { Name = t.Name, PartitionResponses = [] };
                response.Responses.Add(topicResponse);
                foreach (var p in t.PartitionData)
                {
                    var answer = new ProduceResponse.PartitionProduceResponse { Index = p.Index, BaseOffset = -1 };
                    topicResponse.PartitionResponses.Add(answer);
                    if (!_topics.TryGetValue(t.Name, out var logs) || p.Index >= logs.Count)
                    {
                        answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                        continue;
                    }
                    var (error, offset) = logs[p.Index].Append(p.Records!.Value.ToArray());
                    answer.ErrorCode = (short)error;
                    answer.BaseOffset = offset;
                }
            }
        }
        if (ReverseProduceAnswers)
        {
            response.Responses.Reverse();
            foreach (var t in response.Responses) t.PartitionResponses.Reverse();
        }
        return request.Acks == 0 ? null : response;
    }

    private async Task<FetchResponse> FetchAsync(FetchRequest request)
    {
        var until = DateTime.UtcNow.AddMilliseconds(request.MaxWaitMs);
        while (true)
        {
            var response = new FetchResponse { Responses = [] };
            var any = false;
            lock (_lock)
            {
                foreach (var t in request.Topics)
                {
                    var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = t.Topic, Partitions = [] };
                    response.Responses.Add(topicResponse);
                    foreach (var p in t.Partitions)
                    {
                        var data = new FetchResponse.PartitionData { PartitionIndex = p.Partition, Records = ReadOnlyMemory<byte>.Empty };
                        topicResponse.Partitions.Add(data);
                        if (!_topics.TryGetValue(t.Topic, out var logs) || p.Partition >= logs.Count)
                        {
                            data.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                            continue;
                        }
                        var log = logs[p.Partition];
                        data.HighWatermark = log.NextOffset;
                        data.LastStableOffset = log.NextOffset;
                        data.LogStartOffset = 0;
                        if (p.FetchOffset > log.NextOffset || p.FetchOffset < 0)
                        {
                            data.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                            continue;
                        }
                        var bytes = log.Read(p.FetchOffset, p.PartitionMaxBytes);
                        data.Records = bytes;
                        any |= bytes.Length > 0;
                    }
                }
            }
            if (any || DateTime.UtcNow >= until) return response;
            await Task.Delay(5);
        }
    }

    private ListOffsetsResponse ListOffsets(ListOffsetsRequest request)
    {
        var response = new ListOffsetsResponse { Topics = [] };
        lock (_lock)
        {
            foreach (var t in request.Topics)
            {
                var topic = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = t.Name, Partitions = [] };
                response.Topics.Add(topic);
                foreach (var p in t.Partitions)
                {
                    var log = _topics[t.Name][p.PartitionIndex];
                    topic.Partitions.Add(new ListOffsetsResponse.ListOffsetsPartitionResponse
                    {
                        PartitionIndex = p.PartitionIndex,
                        Offset = p.Timestamp == -2 ? 0 : log.NextOffset,
                        Timestamp = -1,
                    });
                }
            }
        }
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var c in _clients) c.Dispose();
        }
        try { await _accept; } catch (Exception) { }
        _stop.Dispose();
    }

    /// <summary>One partition: batches with offsets, and per producer the last sequences seen.</summary>
    private sealed class PartitionLog
    {
        public List<(long BaseOffset, byte[] Bytes)> Batches { get; } = [];
        public long NextOffset { get; private set; }
        private readonly Dictionary<long, (short Epoch, int LastSequence, List<(int First, long Offset)> Recent)> _producers = [];

        public (ErrorCode, long) Append(byte[] records)
        {
            var batch = new RecordBatch(records);
            batch.Validate();
            if (batch.ProducerId >= 0)
            {
                var lastSequence = batch.BaseSequence + batch.LastOffsetDelta;
                if (_producers.TryGetValue(batch.ProducerId, out var state) && state.Epoch == batch.ProducerEpoch)
                {
                    foreach (var (first, offset) in state.Recent)
                    {
                        if (first == batch.BaseSequence) return (ErrorCode.None, offset);
                    }
                    if (batch.BaseSequence != state.LastSequence + 1) return (ErrorCode.OutOfOrderSequenceNumber, -1);
                }
                else if (state.Recent is not null && batch.ProducerEpoch < state.Epoch)
                {
                    return (ErrorCode.InvalidProducerEpoch, -1);
                }
                else if (batch.BaseSequence != 0)
                {
                    return (ErrorCode.OutOfOrderSequenceNumber, -1);
                }
                var recent = state.Recent is not null && state.Epoch == batch.ProducerEpoch ? state.Recent : [];
                recent.Add((batch.BaseSequence, NextOffset));
                if (recent.Count > 5) recent.RemoveAt(0);
                _producers[batch.ProducerId] = (batch.ProducerEpoch, lastSequence, recent);
            }
            var stored = records.ToArray();
            BinaryPrimitives.WriteInt64BigEndian(stored, NextOffset);
            var baseOffset = NextOffset;
            Batches.Add((baseOffset, stored));
            NextOffset += batch.LastOffsetDelta + 1;
            return (ErrorCode.None, baseOffset);
        }

        public byte[] Read(long offset, int maxBytes)
        {
            var output = new List<byte>();
            foreach (var (baseOffset, bytes) in Batches)
            {
                var last = baseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(RecordBatchLayout.LastOffsetDeltaOffset));
                if (last < offset) continue;
                if (output.Count > 0 && output.Count + bytes.Length > maxBytes) break;
                output.AddRange(bytes);
            }
            return [.. output];
        }
    }
}
