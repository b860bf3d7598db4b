using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Client.Consumer;

/// <summary>
/// Sends one Fetch per leader for the fetchable partitions (assigned, not paused, position known,
/// no answer queued) and buffers the answers. The poll thread turns buffered answers into records
/// (<see cref="Collect"/>) and sends the next fetches right away; a partition whose answer is still
/// being handed out is fetched from where that answer ends, so the next one arrives while the
/// application works on this one (at most two answers per partition are held). Decoding walks the
/// fetched bytes in place.
/// </summary>
internal sealed class Fetcher<TKey, TValue> : IDisposable
{
    private readonly ConsumerConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly SubscriptionState _subscriptions;
    private readonly IDeserializer<TKey> _keyDeserializer;
    private readonly IDeserializer<TValue> _valueDeserializer;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<CompletedFetch> _completed = new();
    private readonly HashSet<int> _inFlightNodes = [];
    private readonly SemaphoreSlim _arrived = new(0, int.MaxValue);
    private CompletedFetch? _nextInLine;

    public Fetcher(ConsumerConfig config, KafkaCluster cluster, SubscriptionState subscriptions,
        IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer, ILogger logger)
    {
        _config = config;
        _cluster = cluster;
        _subscriptions = subscriptions;
        _keyDeserializer = keyDeserializer;
        _valueDeserializer = valueDeserializer;
        _logger = logger;
    }

    public void Dispose() => _arrived.Dispose();

    /// <summary>Waits until some fetch answered or the token fires.</summary>
    public Task WaitForFetchAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _arrived.WaitAsync(timeout, cancellationToken);

    public bool HasBuffered => _nextInLine is not null || !_completed.IsEmpty;

    /// <summary>Drops buffered data of a partition (after a seek, pause or revocation).</summary>
    public void Clear(TopicPartition tp)
    {
        if (_nextInLine?.Partition == tp) _nextInLine = null;
    }

    public void SendFetches()
    {
        var metadata = _cluster.Metadata;
        var queued = new HashSet<TopicPartition>();
        foreach (var c in _completed) queued.Add(c.Partition);
        var draining = _nextInLine;

        Dictionary<int, List<(TopicPartition Tp, PartitionState State, long Offset)>>? byNode = null;
        foreach (var (tp, state) in _subscriptions.States)
        {
            if (state.Paused || state.Position < 0 || state.PendingReset != OffsetReset.None || queued.Contains(tp)) continue;
            long offset = state.Position;
            if (draining is not null && draining.Partition == tp)
            {
                if (draining.StateEpoch != state.Epoch) continue;
                offset = Math.Max(offset, draining.EndOffset);
            }
            var leader = metadata.LeaderOf(tp);
            if (leader < 0)
            {
                _cluster.AddTopics([tp.Topic]);
                _cluster.RequestMetadataUpdate();
                continue;
            }
            lock (_inFlightNodes)
            {
                if (_inFlightNodes.Contains(leader)) continue;
            }
            byNode ??= [];
            if (!byNode.TryGetValue(leader, out var list)) byNode[leader] = list = [];
            list.Add((tp, state, offset));
        }
        if (byNode is null) return;
        foreach (var (node, partitions) in byNode)
        {
            lock (_inFlightNodes) _inFlightNodes.Add(node);
            _ = FetchAsync(node, partitions);
        }
    }

    private async Task FetchAsync(int node, List<(TopicPartition Tp, PartitionState State, long Offset)> partitions)
    {
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = _config.FetchMaxWaitMs,
            MinBytes = _config.FetchMinBytes,
            MaxBytes = _config.FetchMaxBytes,
            IsolationLevel = (sbyte)_config.IsolationLevel,
            SessionId = 0,
            SessionEpoch = -1,
            Topics = [],
            ForgottenTopicsData = [],
            RackId = _config.ClientRack ?? "",
        };
        var byTopic = new Dictionary<string, FetchRequest.FetchTopic>(StringComparer.Ordinal);
        var sent = new Dictionary<TopicPartition, (long Offset, int Epoch)>();
        foreach (var (tp, state, offset) in partitions)
        {
            if (!byTopic.TryGetValue(tp.Topic, out var topic))
            {
                byTopic[tp.Topic] = topic = new FetchRequest.FetchTopic { Topic = tp.Topic, Partitions = [] };
                request.Topics.Add(topic);
            }
            topic.Partitions.Add(new FetchRequest.FetchPartition
            {
                Partition = tp.Partition,
                FetchOffset = offset,
                CurrentLeaderEpoch = -1,
                LogStartOffset = -1,
                PartitionMaxBytes = _config.MaxPartitionFetchBytes,
            });
            sent[tp] = (offset, state.Epoch);
        }
        try
        {
            // An open connection is there at once; the answer is handled on the connection's read
            // loop (no task per fetch, no thread-pool hop before the poller is woken).
            var connection = await _cluster.GetConnectionAsync(node, CancellationToken.None).ConfigureAwait(false);
            var version = connection.PickVersion(ApiKey.Fetch, KafkaCluster.MaxVersion(ApiKey.Fetch));
            connection.Send(request, version, new FetchCall(this, node, sent, version));
        }
        catch (Exception e)
        {
            OnFetchFailed(node, e);
        }
    }

    private void OnFetchResponse(int node, FetchResponse response, Dictionary<TopicPartition, (long Offset, int Epoch)> sent)
    {
        try
        {
            if ((ErrorCode)response.ErrorCode != ErrorCode.None)
            {
                _logger.LogDebug("Fetch from broker {Node} failed: {Error}.", node, (ErrorCode)response.ErrorCode);
                _cluster.RequestMetadataUpdate();
                return;
            }
            foreach (var topic in response.Responses)
            {
                foreach (var p in topic.Partitions)
                {
                    var tp = new TopicPartition(topic.Topic, p.PartitionIndex);
                    if (!sent.TryGetValue(tp, out var s)) continue;
                    List<(long, long)>? aborted = null;
                    if (p.AbortedTransactions is { Count: > 0 } list)
                    {
                        aborted = new List<(long, long)>(list.Count);
                        foreach (var a in list) aborted.Add((a.ProducerId, a.FirstOffset));
                        aborted.Sort((a, b) => a.Item2.CompareTo(b.Item2));
                    }
                    var records = p.Records ?? ReadOnlyMemory<byte>.Empty;
                    _completed.Enqueue(new CompletedFetch
                    {
                        Partition = tp,
                        StateEpoch = s.Epoch,
                        FetchOffset = s.Offset,
                        Records = records,
                        EndOffset = EndOffsetOf(records.Span, s.Offset),
                        Error = (ErrorCode)p.ErrorCode,
                        HighWatermark = p.HighWatermark,
                        AbortedTransactions = aborted,
                        NextOffset = s.Offset,
                    });
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Handling a fetch answer from broker {Node} failed.", node);
            _cluster.RequestMetadataUpdate();
        }
        finally
        {
            FetchDone(node);
        }
    }

    private void OnFetchFailed(int node, Exception e)
    {
        _logger.LogDebug(e, "Fetch from broker {Node} failed.", node);
        _cluster.RequestMetadataUpdate();
        FetchDone(node);
    }

    private void FetchDone(int node)
    {
        lock (_inFlightNodes) _inFlightNodes.Remove(node);
        try { _arrived.Release(); } catch (ObjectDisposedException) { }
    }

    /// <summary>One fetch in flight; its answer (or the connection's failure) arrives on the read loop.</summary>
    private sealed class FetchCall(Fetcher<TKey, TValue> fetcher, int node, Dictionary<TopicPartition, (long Offset, int Epoch)> sent, short version)
        : IResponseHandler
    {
        public void OnResponse(ReadOnlyMemory<byte> body)
        {
            FetchResponse response;
            try
            {
                response = BrokerConnection.ParseResponse<FetchResponse>(ApiKey.Fetch, body, version);
            }
            catch (Exception e)
            {
                fetcher.OnFetchFailed(node, e);
                return;
            }
            fetcher.OnFetchResponse(node, response, sent);
        }

        public void OnFailure(KafkaException error) => fetcher.OnFetchFailed(node, error);
    }

    /// <summary>The offset after the last whole batch of an answer (where handing it out ends), read
    /// from batch headers only; the fetch offset when there is no whole batch or the bytes are bad
    /// (then handing out reports the problem).</summary>
    private static long EndOffsetOf(ReadOnlySpan<byte> records, long fetchOffset)
    {
        long end = fetchOffset;
        try
        {
            int position = 0;
            while (position < records.Length && RecordBatch.TryRead(records[position..], out var batch))
            {
                end = Math.Max(end, batch.NextOffset);
                position += batch.SizeInBytes;
            }
        }
        catch (CorruptRecordException)
        {
            return fetchOffset;
        }
        return end;
    }

    /// <summary>Turns buffered answers into up to <paramref name="max"/> records, advancing positions.</summary>
    public List<ConsumeResult<TKey, TValue>> Collect(int max)
    {
        var output = new List<ConsumeResult<TKey, TValue>>();
        while (output.Count < max)
        {
            if (_nextInLine is null)
            {
                if (!_completed.TryDequeue(out var next)) break;
                if (!Initialize(next)) continue;
                _nextInLine = next;
            }
            var cf = _nextInLine;
            if (!_subscriptions.TryGet(cf.Partition, out var state) || state.Epoch != cf.StateEpoch || state.Paused
                || state.Position != cf.NextOffset)
            {
                _nextInLine = null;
                continue;
            }
            var done = Drain(cf, max, output);
            state.Position = cf.NextOffset;
            if (cf.HighWatermark >= 0) state.HighWatermark = cf.HighWatermark;
            if (done) _nextInLine = null;
        }
        return output;
    }

    /// <summary>Checks a fresh answer; false when it brings no records to hand out.</summary>
    private bool Initialize(CompletedFetch cf)
    {
        if (!_subscriptions.TryGet(cf.Partition, out var state) || state.Epoch != cf.StateEpoch || state.Position != cf.FetchOffset)
            return false;
        if (cf.HighWatermark >= 0) state.HighWatermark = cf.HighWatermark;
        switch (cf.Error)
        {
            case ErrorCode.None:
                return !cf.Records.IsEmpty;
            case ErrorCode.OffsetOutOfRange:
                if (_config.AutoOffsetReset == AutoOffsetReset.None)
                    throw new OffsetOutOfRangeException($"Fetch position {cf.FetchOffset} is out of range for {cf.Partition} and auto.offset.reset is none.");
                _logger.LogInformation("Fetch position {Offset} is out of range for {Partition}; resetting to {Reset}.",
                    cf.FetchOffset, cf.Partition, _config.AutoOffsetReset);
                state.PendingReset = _config.AutoOffsetReset == AutoOffsetReset.Earliest ? OffsetReset.Earliest : OffsetReset.Latest;
                return false;
            case ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable
                or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.KafkaStorageError
                or ErrorCode.OffsetNotAvailable or ErrorCode.UnknownTopicId or ErrorCode.ReplicaNotAvailable:
                _cluster.RequestMetadataUpdate();
                return false;
            case ErrorCode.TopicAuthorizationFailed:
                throw KafkaException.FromErrorCode(cf.Error, $"Fetch {cf.Partition}");
            default:
                _logger.LogWarning("Fetch of {Partition} failed with {Error}; retrying.", cf.Partition, cf.Error);
                return false;
        }
    }

    /// <summary>Hands out records of <paramref name="cf"/>; true when it is used up.</summary>
    private bool Drain(CompletedFetch cf, int max, List<ConsumeResult<TKey, TValue>> output)
    {
        var span = cf.Records.Span;
        var readCommitted = _config.IsolationLevel == IsolationLevel.ReadCommitted;
        while (cf.BatchPosition < span.Length)
        {
            if (output.Count >= max) return false;
            RecordBatch batch;
            try
            {
                // The answer may end with a partial batch (size limits): that is the end.
                if (!RecordBatch.TryRead(span[cf.BatchPosition..], out batch)) return true;
            }
            catch (CorruptRecordException e)
            {
                throw new KafkaException(ErrorCode.CorruptMessage, $"Corrupt record batch in {cf.Partition} at fetch offset {cf.NextOffset}: {e.Message}", e);
            }
            if (batch.NextOffset <= cf.NextOffset)
            {
                cf.BatchPosition += batch.SizeInBytes;
                continue;
            }
            if (_config.CheckCrcs)
            {
                try
                {
                    batch.Validate();
                }
                catch (CorruptRecordException e)
                {
                    throw new KafkaException(ErrorCode.CorruptMessage, $"Corrupt record batch in {cf.Partition} at offset {batch.BaseOffset}: {e.Message}", e);
                }
            }
            if (readCommitted && cf.AbortedTransactions is not null)
            {
                // Producers whose aborted transaction started at or before this batch.
                foreach (var (pid, first) in cf.AbortedTransactions)
                {
                    if (first <= batch.LastOffset) (cf.AbortedProducers ??= []).Add(pid);
                }
            }
            if (batch.IsControl)
            {
                if (batch.IsTransactional) cf.AbortedProducers?.Remove(batch.ProducerId);
                cf.NextOffset = batch.NextOffset;
                cf.BatchPosition += batch.SizeInBytes;
                continue;
            }
            if (readCommitted && batch.IsTransactional && cf.AbortedProducers?.Contains(batch.ProducerId) == true)
            {
                cf.NextOffset = batch.NextOffset;
                cf.BatchPosition += batch.SizeInBytes;
                continue;
            }
            var finished = true;
            var timestampType = batch.TimestampType == Samsa.Protocol.Records.TimestampType.LogAppendTime
                ? TimestampType.LogAppendTime : TimestampType.CreateTime;
            var leaderEpoch = batch.PartitionLeaderEpoch;
            foreach (var r in batch.GetRecords())
            {
                if (r.Offset < cf.NextOffset) continue;
                if (output.Count >= max)
                {
                    finished = false;
                    break;
                }
                output.Add(Build(cf.Partition, r, timestampType, leaderEpoch));
                cf.NextOffset = r.Offset + 1;
            }
            if (!finished) return false;
            cf.NextOffset = Math.Max(cf.NextOffset, batch.NextOffset);
            cf.BatchPosition += batch.SizeInBytes;
        }
        return true;
    }

    private ConsumeResult<TKey, TValue> Build(TopicPartition tp, Record r, TimestampType timestampType, int leaderEpoch)
    {
        Headers? headers = null;
        if (r.HeaderCount > 0)
        {
            headers = new Headers();
            foreach (var h in r.Headers) headers.Add(h.KeyString, h.HasValue ? h.Value.ToArray() : null);
        }
        TKey key;
        TValue value;
        try
        {
            key = _keyDeserializer.Deserialize(r.Key, !r.HasKey, new SerializationContext(MessageComponent.Key, tp.Topic, headers));
            value = _valueDeserializer.Deserialize(r.Value, !r.HasValue, new SerializationContext(MessageComponent.Value, tp.Topic, headers));
        }
        catch (Exception e) when (e is not SerializationException)
        {
            throw new SerializationException($"Deserializing the record at {tp}@{r.Offset} failed: {e.Message}", e);
        }
        var result = new ConsumeResult<TKey, TValue>
        {
            Topic = tp.Topic,
            Partition = tp.Partition,
            Offset = r.Offset,
            LeaderEpoch = leaderEpoch,
            Key = key,
            Value = value,
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp),
            TimestampType = timestampType,
        };
        return headers is null ? result : new ConsumeResult<TKey, TValue>
        {
            Topic = result.Topic,
            Partition = result.Partition,
            Offset = result.Offset,
            LeaderEpoch = leaderEpoch,
            Key = key,
            Value = value,
            Headers = headers,
            Timestamp = result.Timestamp,
            TimestampType = timestampType,
        };
    }
}
