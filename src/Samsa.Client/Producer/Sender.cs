using Microsoft.Extensions.Logging;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Producer;

/// <summary>
/// The producer's background loop: finds leaders with sendable batches, drains one batch per
/// partition into one ProduceRequest per broker (up to max.in.flight.requests.per.connection
/// outstanding), and handles answers: success completes records; retriable errors requeue the
/// batch in sequence order; unresolvable sequence errors bump the producer epoch once nothing is
/// in flight. Runs on its own thread so sends never wait for the thread pool.
/// </summary>
internal sealed class Sender : IDisposable
{
    private readonly ProducerConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly RecordAccumulator _accumulator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ICompressionCodec? _codec;
    // No spinning before blocking: on a busy machine the spin's sched_yield calls cost more than
    // the futex wake they try to save.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly Dictionary<int, Task<BrokerConnection>> _connecting = [];
    private readonly HashSet<int> _readyNodes = [];
    private readonly HashSet<string> _unknownLeaders = new(StringComparer.Ordinal);
    private readonly Func<TopicPartition, int> _leaderOf;
    private readonly Action _sendReadyNow;
    private readonly List<BrokerConnection> _flushNeeded = [];
    private readonly Dictionary<string, ProduceRequest.TopicProduceData> _byTopic = new(StringComparer.Ordinal);
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private Task? _metadataRefresh;
    private Task? _producerIdTask;
    private int _inFlightRequests;
    private int _running; // 1 while a thread is in RunOnce (the sender loop or an answer's thread)
    private long _sleepUntilTicks = long.MaxValue;
    private volatile bool _needsEpochBump;
    private volatile bool _forceClose;
    private bool _started;
    private long _producerId = -1;
    private short _producerEpoch = -1;

    public Sender(ProducerConfig config, KafkaCluster cluster, RecordAccumulator accumulator, TimeProvider time, ILogger logger)
    {
        _config = config;
        _cluster = cluster;
        _accumulator = accumulator;
        _time = time;
        _logger = logger;
        _codec = config.CompressionType == CompressionType.None ? null
            : CompressionCodecs.Get((Samsa.Protocol.Compression.CompressionType)(int)config.CompressionType);
        _leaderOf = tp => _cluster.Metadata.LeaderOf(tp);
        _sendReadyNow = SendReadyNow;
        _thread = new Thread(Run) { IsBackground = true, Name = $"samsa-producer-sender-{cluster.ClientId}" };
    }

    private bool Idempotent => _config.EnableIdempotence;

    public void Dispose()
    {
        _stop.Dispose();
        _wake.Dispose();
    }

    public void Start()
    {
        _started = true;
        _thread.Start();
    }

    public void Wake() => _wake.Set();

    /// <summary>Sends what is queued, then stops; with <paramref name="force"/> fails what is left.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _accumulator.BeginClose();
        if (!_started) return true;
        Wake();
        if (_thread.Join(timeout)) return true;
        _forceClose = true;
        Wake();
        _thread.Join(TimeSpan.FromSeconds(5));
        return false;
    }

    private void Run()
    {
        while (true)
        {
            if (_forceClose)
            {
                FailAll(new KafkaException(ErrorCode.UnknownServerError, "The producer was closed before the record was sent."));
                break;
            }
            if (_accumulator.IsClosing && _accumulator.IncompleteBatches == 0 && Volatile.Read(ref _inFlightRequests) == 0) break;
            TimeSpan wait;
            if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
            {
                // An answer's thread is sending right now. When it is done it wakes this loop if the
                // next deadline comes before this sleep ends (SendReadyNow); a 1 ms poll here woke the
                // thread a thousand times a second under load. Both sides write, then read the
                // other's field with full fences, so one of them always sees the other.
                wait = TimeSpan.FromMilliseconds(100);
                Interlocked.Exchange(ref _sleepUntilTicks, Environment.TickCount64 + (long)wait.TotalMilliseconds);
                if (Volatile.Read(ref _running) == 0) continue;
            }
            else
            {
                try
                {
                    wait = RunOnce();
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Producer sender loop failed; continuing.");
                    wait = TimeSpan.FromMilliseconds(_config.RetryBackoffMs);
                }
                // Published before releasing, so an answer's thread that runs next knows when this loop wakes.
                Interlocked.Exchange(ref _sleepUntilTicks, Environment.TickCount64 + (long)wait.TotalMilliseconds);
                Interlocked.Exchange(ref _running, 0);
            }
            _wake.Wait(wait);
            _wake.Reset();
        }
        _stop.Cancel();
    }

    /// <summary>
    /// After answers freed in-flight slots: drains and sends what is ready on this thread (the
    /// connection's read loop, once it has handled every answer of a receive), as Kafka's single
    /// network thread does, instead of waking the sender thread first; that hop was a context switch
    /// in every produce round trip. Falls back to a wake when the sender is busy, and wakes it when
    /// the next linger deadline is sooner than its sleep.
    /// </summary>
    private void SendReadyNow()
    {
        if (_forceClose || _accumulator.IsClosing || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            Wake();
            return;
        }
        TimeSpan wait;
        try
        {
            wait = RunOnce();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Sending from a produce answer failed; the sender loop takes over.");
            wait = TimeSpan.Zero;
        }
        finally
        {
            Interlocked.Exchange(ref _running, 0);
        }
        if (Environment.TickCount64 + (long)wait.TotalMilliseconds < Volatile.Read(ref _sleepUntilTicks)) Wake();
    }

    /// <summary>
    /// Drains, seals and acknowledges every queued batch of <paramref name="node"/> as if the
    /// broker had written it at offset 0: the encode path without a network, for benchmarks.
    /// </summary>
    internal int CompleteLocally(int node)
    {
        var count = 0;
        while (true)
        {
            var batches = _accumulator.Drain(node, _leaderOf, int.MaxValue, _time.GetUtcNow().UtcTicks, _producerId, _producerEpoch);
            if (batches.Count == 0) return count;
            foreach (var b in batches)
            {
                b.Seal(_codec);
                Complete(b, 0, -1);
                count++;
            }
        }
    }

    /// <summary>One pass: sends what is ready, expires what is too old; returns how long to sleep. Never concurrent.</summary>
    private TimeSpan RunOnce()
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (Idempotent && !EnsureProducerId())
        {
            return TimeSpan.FromMilliseconds(_config.RetryBackoffMs);
        }

        _readyNodes.Clear();
        _unknownLeaders.Clear();
        var nextTicks = _accumulator.Ready(now, _leaderOf, _readyNodes, _unknownLeaders);
        if (_unknownLeaders.Count > 0)
        {
            _cluster.AddTopics(_unknownLeaders);
            _cluster.RequestMetadataUpdate();
        }
        if (_cluster.MetadataUpdateRequested && _metadataRefresh is null or { IsCompleted: true })
        {
            _metadataRefresh = RefreshMetadataAsync();
        }

        // Requests are written into each connection's buffer and flushed once at the end: when one
        // receive brought several answers, the requests that refill the window go out in one send
        // (and wake the broker once). Readiness is evaluated again before each further request, so
        // a batch still lingering is not sent early.
        _flushNeeded.Clear();
        try
        {
            for (var pass = 0; pass < _config.MaxInFlightRequestsPerConnection; pass++)
            {
                if (pass > 0)
                {
                    _readyNodes.Clear();
                    _unknownLeaders.Clear();
                    _accumulator.Ready(now, _leaderOf, _readyNodes, _unknownLeaders);
                }
                var roomLeft = false;
                foreach (var node in _readyNodes)
                {
                    var connection = TryGetConnection(node);
                    if (connection is null || connection.InFlight >= _config.MaxInFlightRequestsPerConnection) continue;
                    connection.AnswersHandled ??= _sendReadyNow;
                    var batches = _accumulator.Drain(node, _leaderOf, _config.MaxRequestSize, now,
                        Idempotent ? _producerId : -1, _producerEpoch);
                    if (batches.Count == 0) continue;
                    foreach (var b in batches)
                    {
                        if (!b.IsSealed) b.Seal(_codec);
                        else b.Reseal();
                    }
                    SendProduce(connection, batches);
                    if (!_flushNeeded.Contains(connection)) _flushNeeded.Add(connection);
                    roomLeft |= connection.InFlight < _config.MaxInFlightRequestsPerConnection;
                }
                if (!roomLeft) break;
            }
        }
        finally
        {
            foreach (var connection in _flushNeeded) connection.Flush();
            _flushNeeded.Clear();
        }

        var expired = _accumulator.Expire(now, TimeSpan.FromMilliseconds(_config.DeliveryTimeoutMs).Ticks);
        if (expired is not null)
        {
            foreach (var b in expired)
            {
                Fail(b, new KafkaTimeoutException(
                    $"Expiring {b.RecordCount} record(s) for {b.Partition}: delivery.timeout.ms ({_config.DeliveryTimeoutMs} ms) has passed since the batch was created."),
                    wasInFlight: false);
            }
        }

        var wait = nextTicks == long.MaxValue ? TimeSpan.FromMilliseconds(100)
            : TimeSpan.FromTicks(Math.Clamp(nextTicks, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerMillisecond * 100));
        if (_readyNodes.Count > 0 && _unknownLeaders.Count == 0 && nextTicks == long.MaxValue) wait = TimeSpan.FromMilliseconds(10);
        return wait;
    }

    private async Task RefreshMetadataAsync()
    {
        try
        {
            await _cluster.RefreshMetadataAsync(null, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Metadata refresh failed.");
            await Task.Delay(_config.RetryBackoffMs).ConfigureAwait(false);
        }
        Wake();
    }

    private BrokerConnection? TryGetConnection(int node)
    {
        if (_connecting.TryGetValue(node, out var task))
        {
            if (!task.IsCompleted) return null;
            _connecting.Remove(node);
            if (task.IsCompletedSuccessfully && task.Result.IsAlive) return task.Result;
        }
        var next = _cluster.GetConnectionAsync(node, _stop.Token);
        if (next.IsCompletedSuccessfully) return next.Result;
        _connecting[node] = next;
        next.ContinueWith(static (_, s) => ((Sender)s!).Wake(), this, TaskScheduler.Default);
        return null;
    }

    /// <summary>Gets a producer id (or a bumped epoch) when needed; false while none is usable.</summary>
    private bool EnsureProducerId()
    {
        var needNew = _producerId < 0 || (_needsEpochBump && Volatile.Read(ref _inFlightRequests) == 0);
        if (!needNew) return !_needsEpochBump;
        if (_producerIdTask is null)
        {
            _producerIdTask = InitProducerIdAsync();
            _producerIdTask.ContinueWith(static (_, s) => ((Sender)s!).Wake(), this, TaskScheduler.Default);
            return false;
        }
        if (!_producerIdTask.IsCompleted) return false;
        var failed = _producerIdTask.Exception;
        _producerIdTask = null;
        if (failed is not null)
        {
            _logger.LogDebug(failed, "InitProducerId failed; retrying.");
            return false;
        }
        return _producerId >= 0 && !_needsEpochBump;
    }

    private async Task InitProducerIdAsync()
    {
        var bump = _producerId >= 0;
        var request = new InitProducerIdRequest
        {
            TransactionalId = null,
            TransactionTimeoutMs = int.MaxValue,
            ProducerId = bump ? _producerId : -1,
            ProducerEpoch = bump ? _producerEpoch : (short)-1,
        };
        var response = await _cluster.SendToAnyAsync<InitProducerIdRequest, InitProducerIdResponse>(request, _stop.Token).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        if (error != ErrorCode.None) throw KafkaException.FromErrorCode(error, "InitProducerId");
        _producerId = response.ProducerId;
        _producerEpoch = response.ProducerEpoch;
        if (bump || _needsEpochBump)
        {
            _accumulator.ResetSequences();
            _logger.LogInformation("Producer id {ProducerId} now at epoch {Epoch}; sequences restart.", _producerId, _producerEpoch);
        }
        _needsEpochBump = false;
    }

    private void SendProduce(BrokerConnection connection, List<ProducerBatch> batches)
    {
        // Reused: requests are built on one thread at a time (RunOnce is never concurrent).
        var byTopic = _byTopic;
        byTopic.Clear();
        var request = new ProduceRequest
        {
            Acks = (short)_config.Acks,
            TimeoutMs = _config.RequestTimeoutMs,
            TransactionalId = null,
            TopicData = [],
        };
        foreach (var b in batches)
        {
            if (!byTopic.TryGetValue(b.Partition.Topic, out var topic))
            {
                byTopic[b.Partition.Topic] = topic = new ProduceRequest.TopicProduceData { Name = b.Partition.Topic, PartitionData = [] };
                request.TopicData.Add(topic);
            }
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = b.Partition.Partition, Records = b.Sealed });
        }
        short version;
        try
        {
            version = connection.PickVersion(ApiKey.Produce, KafkaCluster.MaxVersion(ApiKey.Produce));
        }
        catch (KafkaException e)
        {
            foreach (var b in batches) Fail(b, e, wasInFlight: true);
            return;
        }
        Interlocked.Increment(ref _inFlightRequests);
        if (_config.Acks == Acks.None)
        {
            var sent = connection.SendWithoutResponseAsync(request, version, _stop.Token);
            sent.ContinueWith(t => OnAcksZeroSent(t, batches), TaskScheduler.Default);
            return;
        }
        // The answer is handled on the connection's read loop (as Kafka's clients complete batches on
        // their network thread): no task and no thread-pool hops between the ack and the next send.
        connection.Send(request, version, new ProduceCall(this, batches, version), flush: false);
    }

    private sealed class ProduceCall(Sender sender, List<ProducerBatch> batches, short version) : IResponseHandler
    {
        public void OnResponse(ReadOnlyMemory<byte> body)
        {
            ProduceResponse response;
            try
            {
                response = BrokerConnection.ParseResponse<ProduceResponse>(ApiKey.Produce, body, version);
            }
            catch (Exception e)
            {
                OnFailure(e as KafkaException ?? new KafkaException(ErrorCode.CorruptMessage, $"Unreadable produce response: {e.Message}", e));
                return;
            }
            // The connection calls AnswersHandled (SendReadyNow) once this receive's answers are handled.
            sender.OnResponse(response, null, batches, sendNow: false);
        }

        public void OnFailure(KafkaException error) => sender.OnResponse(null, error, batches, sendNow: true);
    }

    private void OnAcksZeroSent(Task sent, List<ProducerBatch> batches)
    {
        foreach (var b in batches)
        {
            if (sent.IsCompletedSuccessfully) Complete(b, -1, -1);
            else RetryOrFail(b, Unwrap(sent.Exception));
        }
        Interlocked.Decrement(ref _inFlightRequests);
        Wake();
    }

    private void OnResponse(ProduceResponse? response, KafkaException? failure, List<ProducerBatch> batches, bool sendNow)
    {
        try
        {
            if (response is null)
            {
                _cluster.RequestMetadataUpdate();
                foreach (var b in batches) RetryOrFail(b, failure!);
                return;
            }
            int topicIndex = 0, partitionIndex = 0;
            foreach (var b in batches)
            {
                var answer = NextInOrder(response, ref topicIndex, ref partitionIndex, b.Partition) ?? Find(response, b.Partition);
                if (answer is null)
                {
                    RetryOrFail(b, new KafkaException(ErrorCode.UnknownServerError, $"The produce response has no answer for {b.Partition}."));
                    continue;
                }
                HandlePartition(b, answer);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Handling a produce response failed.");
        }
        finally
        {
            Interlocked.Decrement(ref _inFlightRequests);
            if (sendNow) SendReadyNow();
        }
    }

    /// <summary>
    /// The answer for <paramref name="tp"/> when the broker answered in the order of the request (the
    /// usual case), moving the cursor past it; null otherwise. Keeps matching linear in the partitions.
    /// </summary>
    private static ProduceResponse.PartitionProduceResponse? NextInOrder(ProduceResponse response, ref int topicIndex, ref int partitionIndex,
        TopicPartition tp)
    {
        while (topicIndex < response.Responses.Count && partitionIndex >= response.Responses[topicIndex].PartitionResponses.Count)
        {
            topicIndex++;
            partitionIndex = 0;
        }
        if (topicIndex >= response.Responses.Count) return null;
        var topic = response.Responses[topicIndex];
        if (!string.Equals(topic.Name, tp.Topic, StringComparison.Ordinal)) return null;
        var answer = topic.PartitionResponses[partitionIndex];
        if (answer.Index != tp.Partition) return null;
        partitionIndex++;
        return answer;
    }

    private static ProduceResponse.PartitionProduceResponse? Find(ProduceResponse response, TopicPartition tp)
    {
        ProduceResponse.PartitionProduceResponse? answer = null;
        foreach (var t in response.Responses)
        {
            if (!string.Equals(t.Name, tp.Topic, StringComparison.Ordinal)) continue;
            foreach (var p in t.PartitionResponses)
            {
                if (p.Index == tp.Partition) answer = p;
            }
        }
        return answer;
    }

    private void HandlePartition(ProducerBatch b, ProduceResponse.PartitionProduceResponse answer)
    {
        var error = (ErrorCode)answer.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
            case ErrorCode.DuplicateSequenceNumber:
                Complete(b, answer.BaseOffset, answer.LogAppendTimeMs);
                return;
            case ErrorCode.OutOfOrderSequenceNumber:
            case ErrorCode.UnknownProducerId:
            case ErrorCode.InvalidProducerEpoch when b.ProducerEpoch != _producerEpoch:
                if (Idempotent)
                {
                    // Out of order because an earlier batch failed: retry in order. Otherwise the
                    // broker lost our state: bump the epoch, restart sequences, then retry.
                    var q = _accumulator.Queue(b.Partition);
                    bool expectedNext;
                    lock (q) expectedNext = b.BaseSequence == q.LastAckedSequence + 1;
                    if (error != ErrorCode.OutOfOrderSequenceNumber || expectedNext) _needsEpochBump = true;
                    RetryOrFail(b, KafkaException.FromErrorCode(error, $"Produce to {b.Partition}"), forceRetriable: true);
                    return;
                }
                break;
            default:
                break;
        }
        var exception = KafkaException.FromErrorCode(error, $"Produce to {b.Partition}", answer.ErrorMessage);
        if (error is ErrorCode.NotLeaderOrFollower or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable
            or ErrorCode.FencedLeaderEpoch or ErrorCode.KafkaStorageError or ErrorCode.NotEnoughReplicas)
            _cluster.RequestMetadataUpdate();
        RetryOrFail(b, exception);
    }

    private void RetryOrFail(ProducerBatch b, KafkaException error, bool forceRetriable = false)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var timedOut = now - b.CreatedTicks >= TimeSpan.FromMilliseconds(_config.DeliveryTimeoutMs).Ticks;
        if ((error.IsRetriable || forceRetriable) && b.Attempts < _config.Retries && !timedOut && !_forceClose)
        {
            var backoffMs = Math.Min(_config.RetryBackoffMaxMs, _config.RetryBackoffMs * Math.Pow(2, Math.Min(b.Attempts, 20)));
            _accumulator.Requeue(b, now + TimeSpan.FromMilliseconds(backoffMs * (0.8 + Random.Shared.NextDouble() * 0.4)).Ticks);
            return;
        }
        // A failed batch leaves a gap in the sequence; the epoch must move on before the next send.
        if (Idempotent && b.BaseSequence >= 0) _needsEpochBump = true;
        Fail(b, timedOut && error is not KafkaTimeoutException
            ? new KafkaTimeoutException($"delivery.timeout.ms ({_config.DeliveryTimeoutMs} ms) passed for {b.Partition}; last error: {error.Message}")
            : error, wasInFlight: true);
    }

    private void Complete(ProducerBatch b, long baseOffset, long logAppendTime)
    {
        b.Complete(baseOffset, logAppendTime, null);
        _accumulator.Release(b, wasInFlight: true);
    }

    private void Fail(ProducerBatch b, KafkaException error, bool wasInFlight)
    {
        b.Complete(-1, -1, error);
        if (wasInFlight)
        {
            // Failed batches do not advance the acknowledged sequence.
            var q = _accumulator.Queue(b.Partition);
            lock (q) q.InFlight--;
            _accumulator.Release(b, wasInFlight: false);
        }
        else
        {
            _accumulator.Release(b, wasInFlight: false);
        }
    }

    private void FailAll(KafkaException error)
    {
        foreach (var b in _accumulator.DrainAll()) Fail(b, error, wasInFlight: false);
    }

    private static KafkaException Unwrap(AggregateException? e)
    {
        var inner = e?.InnerException;
        return inner as KafkaException ?? new KafkaNetworkException(inner?.Message ?? "The request failed.", inner);
    }
}
