using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Consumer;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client;

/// <summary>
/// Reads records from Kafka, alone (<see cref="Assign"/>) or in a group (<see cref="Subscribe(IEnumerable{string})"/>).
/// Like Kafka's consumer it is used from one thread at a time; only <see cref="Wakeup"/> may be
/// called from another thread (it makes a blocking call throw <see cref="WakeupException"/>).
/// </summary>
public sealed class Consumer<TKey, TValue> : IDisposable, IAsyncDisposable
{
    private readonly ConsumerConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly SubscriptionState _subscriptions = new();
    private readonly Fetcher<TKey, TValue> _fetcher;
    private readonly ConsumerCoordinator? _coordinator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private CancellationTokenSource _wakeup = new();
    private IConsumerRebalanceListener? _listener;
    private long _nextAutoCommitTicks;
    private int _closed;

    public Consumer(ConsumerConfig config, IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Samsa.Client.Consumer") ?? NullLogger.Instance;
        config.WarnUnknownKeys(_logger);
        var keys = keyDeserializer ?? Deserializers.Default<TKey>()
            ?? throw new ArgumentException($"No built-in deserializer for {typeof(TKey).Name}; pass one.", nameof(keyDeserializer));
        var values = valueDeserializer ?? Deserializers.Default<TValue>()
            ?? throw new ArgumentException($"No built-in deserializer for {typeof(TValue).Name}; pass one.", nameof(valueDeserializer));
        _cluster = new KafkaCluster(config, config.ResolveClientId("consumer"), _logger, _time);
        _fetcher = new Fetcher<TKey, TValue>(config, _cluster, _subscriptions, keys, values, _logger);
        if (!string.IsNullOrEmpty(config.GroupId))
            _coordinator = new ConsumerCoordinator(config, _cluster, _subscriptions, _logger, _time);
        _nextAutoCommitTicks = _time.GetUtcNow().AddMilliseconds(config.AutoCommitIntervalMs).UtcTicks;
    }

    /// <summary>The partitions currently assigned (by the group or by <see cref="Assign"/>).</summary>
    public IReadOnlyCollection<TopicPartition> Assignment => [.. _subscriptions.Assigned];

    /// <summary>The subscribed topics (for a pattern: the topics it matches now).</summary>
    public IReadOnlyCollection<string> Subscription => [.. _subscriptions.Topics];

    /// <summary>The member id the group coordinator gave this consumer ("" outside a group).</summary>
    public string MemberId => _coordinator?.MemberId ?? "";

    public void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        RequireGroup();
        var list = topics.ToList();
        if (list.Exists(string.IsNullOrWhiteSpace)) throw new ArgumentException("Topic names must not be empty.", nameof(topics));
        _subscriptions.Subscribe(list);
        _listener = listener;
        _cluster.SetTopics(list);
        _coordinator!.RequestRejoin();
    }

    public void Subscribe(string topic, IConsumerRebalanceListener? listener = null) => Subscribe([topic], listener);

    /// <summary>Subscribes to every topic matching <paramref name="pattern"/>, now and as topics appear.</summary>
    public void Subscribe(Regex pattern, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        RequireGroup();
        _subscriptions.Subscribe(pattern);
        _listener = listener;
        _cluster.RequestMetadataUpdate();
        _coordinator!.RequestRejoin();
    }

    /// <summary>Reads exactly these partitions, without group management.</summary>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var list = partitions.ToList();
        _subscriptions.AssignManually(list);
        _cluster.SetTopics(list.Select(p => p.Topic).Distinct());
    }

    /// <summary>Reads these partitions starting at the given offsets.</summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        var list = partitions.ToList();
        Assign(list.Select(p => p.TopicPartition));
        foreach (var p in list) Seek(p);
    }

    /// <summary>Leaves the group (if any) and drops the subscription or assignment.</summary>
    public void Unsubscribe()
    {
        if (_coordinator is not null && _subscriptions.IsSubscribed)
        {
            var revoked = _subscriptions.Assigned.ToList();
            if (revoked.Count > 0) _listener?.OnPartitionsRevoked(revoked);
            _coordinator.LeaveGroupAsync("the consumer unsubscribed", CancellationToken.None).GetAwaiter().GetResult();
        }
        _subscriptions.Unsubscribe();
    }

    /// <summary>
    /// Returns the next records (at most max.poll.records), waiting up to <paramref name="timeout"/>
    /// for some. Also runs rebalances, rebalance callbacks and auto-commits. Throws
    /// <see cref="WakeupException"/> after <see cref="Wakeup"/>.
    /// </summary>
    public IReadOnlyList<ConsumeResult<TKey, TValue>> Poll(TimeSpan timeout) =>
        PollAsync(timeout, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>The asynchronous <see cref="Poll"/>.</summary>
    public async Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        if (!_subscriptions.IsSubscribed && !_subscriptions.IsManual)
            throw new InvalidOperationException("Subscribe or Assign before polling.");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _wakeup.Token);
        var token = linked.Token;
        var deadline = _time.GetUtcNow().UtcTicks + timeout.Ticks;
        try
        {
            do
            {
                token.ThrowIfCancellationRequested();
                if (_coordinator is not null)
                {
                    await _coordinator.PollAsync(_listener, CommitPositionsAsync, token).ConfigureAwait(false);
                    await MaybeAutoCommitAsync(token).ConfigureAwait(false);
                }
                try
                {
                    await _cluster.EnsureFreshMetadataAsync(token).ConfigureAwait(false);
                    await UpdatePositionsAsync(token).ConfigureAwait(false);
                }
                catch (KafkaException e) when (e.IsRetriable)
                {
                    // Brokers down or restarting: like Kafka's consumer, keep trying until the poll times out.
                    _logger.LogDebug(e, "Refreshing metadata or positions failed; retrying.");
                }

                var records = _fetcher.Collect(_config.MaxPollRecords);
                // Ask for the next batches now, so they arrive while the caller works on these.
                _fetcher.SendFetches();
                if (records.Count > 0) return records;

                var remaining = TimeSpan.FromTicks(deadline - _time.GetUtcNow().UtcTicks);
                if (remaining <= TimeSpan.Zero) break;
                var wait = remaining < TimeSpan.FromMilliseconds(_config.HeartbeatIntervalMs) ? remaining : TimeSpan.FromMilliseconds(_config.HeartbeatIntervalMs);
                await _fetcher.WaitForFetchAsync(wait, token).ConfigureAwait(false);
            }
            while (_time.GetUtcNow().UtcTicks < deadline);
            return [];
        }
        catch (OperationCanceledException) when (_wakeup.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ResetWakeup();
            throw new WakeupException();
        }
    }

    /// <summary>Records one by one until <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<ConsumeResult<TKey, TValue>> ConsumeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<ConsumeResult<TKey, TValue>> batch;
            try
            {
                batch = await PollAsync(TimeSpan.FromMilliseconds(Math.Max(_config.FetchMaxWaitMs, 100)), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            foreach (var r in batch) yield return r;
        }
    }

    /// <summary>Makes the current or next blocking call throw <see cref="WakeupException"/>. Thread-safe.</summary>
    public void Wakeup()
    {
        try
        {
            _wakeup.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ResetWakeup()
    {
        var old = _wakeup;
        _wakeup = new CancellationTokenSource();
        old.Dispose();
    }

    /// <summary>Commits the positions of all assigned partitions and waits for the answer.</summary>
    public void CommitSync() => CommitAsync().GetAwaiter().GetResult();

    /// <summary>Commits explicit offsets (the offset of the next record to read) and waits.</summary>
    public void CommitSync(IEnumerable<TopicPartitionOffset> offsets) => CommitAsync(offsets).GetAwaiter().GetResult();

    /// <summary>Commits the positions of all assigned partitions.</summary>
    public Task CommitAsync(CancellationToken cancellationToken = default) => CommitPositionsAsync(cancellationToken);

    /// <summary>Commits explicit offsets (the offset of the next record to read).</summary>
    public async Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        RequireGroup();
        using var timeout = DefaultTimeout(cancellationToken);
        await _coordinator!.CommitAsync(offsets.ToList(), timeout.Token).ConfigureAwait(false);
    }

    private Task CommitPositionsAsync(CancellationToken cancellationToken)
    {
        var offsets = new List<TopicPartitionOffset>();
        foreach (var (tp, state) in _subscriptions.States)
        {
            if (state.Position >= 0) offsets.Add(new TopicPartitionOffset(tp, state.Position));
        }
        return offsets.Count == 0 ? Task.CompletedTask : CommitAsync(offsets, cancellationToken);
    }

    private async Task MaybeAutoCommitAsync(CancellationToken cancellationToken)
    {
        if (!_config.EnableAutoCommit) return;
        var now = _time.GetUtcNow().UtcTicks;
        if (now < _nextAutoCommitTicks) return;
        _nextAutoCommitTicks = now + TimeSpan.FromMilliseconds(_config.AutoCommitIntervalMs).Ticks;
        try
        {
            await CommitPositionsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            _logger.LogWarning(e, "Auto-commit failed.");
        }
    }

    /// <summary>The committed offsets of <paramref name="partitions"/>; partitions without one are absent.</summary>
    public IReadOnlyDictionary<TopicPartition, TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan? timeout = null)
    {
        RequireGroup();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMilliseconds(_config.DefaultApiTimeoutMs));
        return _coordinator!.FetchCommittedAsync(partitions.ToList(), cts.Token).GetAwaiter().GetResult();
    }

    /// <summary>The offset of the next record this consumer will return for <paramref name="partition"/>.</summary>
    public long Position(TopicPartition partition)
    {
        var state = _subscriptions.Get(partition);
        if (state.Position < 0 || state.PendingReset != OffsetReset.None)
        {
            // As Java's position(): blocks until the position is known. A partition whose leader is not
            // in the metadata yet is skipped by a reset, and resolving it later (on the first poll)
            // would start a "latest" reader after records sent in between.
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(_config.DefaultApiTimeoutMs));
            try
            {
                while (true)
                {
                    _cluster.EnsureFreshMetadataAsync(cts.Token).GetAwaiter().GetResult();
                    UpdatePositionsAsync(cts.Token).GetAwaiter().GetResult();
                    if (state.Position >= 0 && state.PendingReset == OffsetReset.None) break;
                    Task.Delay(TimeSpan.FromMilliseconds(Math.Max(_config.RetryBackoffMs, 1)), _time, cts.Token).GetAwaiter().GetResult();
                }
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new KafkaTimeoutException($"The position of {partition} was not known within default.api.timeout.ms ({_config.DefaultApiTimeoutMs} ms).");
            }
        }
        return state.Position;
    }

    /// <summary>The next poll returns records of the partition from <paramref name="offset"/>.</summary>
    public void Seek(TopicPartitionOffset offset)
    {
        var state = _subscriptions.Get(offset.TopicPartition);
        if (offset.Offset < 0) throw new ArgumentOutOfRangeException(nameof(offset), "Seek needs an offset >= 0; use SeekToBeginning/SeekToEnd.");
        state.Position = offset.Offset;
        state.PendingReset = OffsetReset.None;
        state.Epoch++;
        _fetcher.Clear(offset.TopicPartition);
    }

    public void SeekToBeginning(IEnumerable<TopicPartition> partitions) => SeekTo(partitions, OffsetReset.Earliest);

    public void SeekToEnd(IEnumerable<TopicPartition> partitions) => SeekTo(partitions, OffsetReset.Latest);

    private void SeekTo(IEnumerable<TopicPartition> partitions, OffsetReset reset)
    {
        foreach (var tp in partitions)
        {
            var state = _subscriptions.Get(tp);
            state.PendingReset = reset;
            state.Position = -1;
            state.Epoch++;
            _fetcher.Clear(tp);
        }
    }

    /// <summary>Stops fetching these partitions until <see cref="Resume"/> (the group assignment is kept).</summary>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _subscriptions.Get(tp).Paused = true;
            _fetcher.Clear(tp);
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        foreach (var tp in partitions) _subscriptions.Get(tp).Paused = false;
    }

    public IReadOnlyCollection<TopicPartition> Paused() =>
        _subscriptions.States.Where(s => s.Value.Paused).Select(s => s.Key).ToList();

    /// <summary>Resolves committed offsets and pending resets into positions.</summary>
    private async Task UpdatePositionsAsync(CancellationToken cancellationToken)
    {
        List<TopicPartition>? needCommitted = null;
        foreach (var (tp, state) in _subscriptions.States)
        {
            if (state.PendingReset == OffsetReset.Committed) (needCommitted ??= []).Add(tp);
        }
        if (needCommitted is not null)
        {
            Dictionary<TopicPartition, TopicPartitionOffset> committed = [];
            if (_coordinator is not null) committed = await _coordinator.FetchCommittedAsync(needCommitted, cancellationToken).ConfigureAwait(false);
            foreach (var tp in needCommitted)
            {
                var state = _subscriptions.Get(tp);
                if (committed.TryGetValue(tp, out var offset))
                {
                    state.Position = offset.Offset;
                    state.PendingReset = OffsetReset.None;
                }
                else
                {
                    state.PendingReset = _config.AutoOffsetReset switch
                    {
                        AutoOffsetReset.Earliest => OffsetReset.Earliest,
                        AutoOffsetReset.Latest => OffsetReset.Latest,
                        _ => throw new OffsetOutOfRangeException($"{tp} has no committed offset and auto.offset.reset is none."),
                    };
                }
            }
        }

        var resets = new List<(TopicPartition Tp, long Timestamp)>();
        foreach (var (tp, state) in _subscriptions.States)
        {
            if (state.PendingReset is OffsetReset.Earliest or OffsetReset.Latest)
                resets.Add((tp, state.PendingReset == OffsetReset.Earliest ? -2L : -1L));
        }
        if (resets.Count == 0) return;
        var offsets = await ListOffsetsAsync(resets, cancellationToken).ConfigureAwait(false);
        foreach (var (tp, offset) in offsets)
        {
            if (_subscriptions.TryGet(tp, out var state) && state.PendingReset is OffsetReset.Earliest or OffsetReset.Latest)
            {
                state.Position = offset;
                state.PendingReset = OffsetReset.None;
            }
        }
    }

    /// <summary>Offsets for timestamps (-2 earliest, -1 latest) from each partition's leader.</summary>
    internal async Task<Dictionary<TopicPartition, long>> ListOffsetsAsync(List<(TopicPartition Tp, long Timestamp)> partitions,
        CancellationToken cancellationToken)
    {
        var result = new Dictionary<TopicPartition, long>();
        var metadata = _cluster.Metadata;
        var byLeader = new Dictionary<int, List<(TopicPartition Tp, long Timestamp)>>();
        foreach (var p in partitions)
        {
            var leader = metadata.LeaderOf(p.Tp);
            if (leader < 0)
            {
                _cluster.AddTopics([p.Tp.Topic]);
                _cluster.RequestMetadataUpdate();
                continue;
            }
            if (!byLeader.TryGetValue(leader, out var list)) byLeader[leader] = list = [];
            list.Add(p);
        }
        foreach (var (leader, list) in byLeader)
        {
            var request = new ListOffsetsRequest
            {
                ReplicaId = -1,
                IsolationLevel = (sbyte)_config.IsolationLevel,
                Topics = list.GroupBy(p => p.Tp.Topic).Select(g => new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = g.Key,
                    Partitions = g.Select(p => new ListOffsetsRequest.ListOffsetsPartition
                    {
                        PartitionIndex = p.Tp.Partition,
                        Timestamp = p.Timestamp,
                        CurrentLeaderEpoch = -1,
                    }).ToList(),
                }).ToList(),
            };
            try
            {
                var response = await _cluster.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(leader, request, cancellationToken).ConfigureAwait(false);
                foreach (var t in response.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        var error = (ErrorCode)p.ErrorCode;
                        if (error == ErrorCode.None) result[new TopicPartition(t.Name, p.PartitionIndex)] = p.Offset;
                        else if (KafkaException.IsRetriableCode(error)) _cluster.RequestMetadataUpdate();
                        else throw KafkaException.FromErrorCode(error, $"ListOffsets {t.Name}-{p.PartitionIndex}");
                    }
                }
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                _logger.LogDebug(e, "ListOffsets from broker {Leader} failed.", leader);
                _cluster.RequestMetadataUpdate();
            }
        }
        return result;
    }

    /// <summary>Commits (when auto-commit is on), leaves the group and closes connections.</summary>
    public void Close() => CloseAsync().GetAwaiter().GetResult();

    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        using var timeout = DefaultTimeout(cancellationToken);
        try
        {
            if (_coordinator is not null && _subscriptions.Assigned.Count > 0)
            {
                if (_config.EnableAutoCommit)
                {
                    try
                    {
                        await CommitPositionsAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is KafkaException or OperationCanceledException)
                    {
                        _logger.LogWarning(e, "Committing on close failed.");
                    }
                }
                if (_subscriptions.IsSubscribed)
                {
                    try { _listener?.OnPartitionsRevoked(_subscriptions.Assigned.ToList()); }
                    catch (Exception e) { _logger.LogWarning(e, "The rebalance listener threw on close."); }
                }
            }
            if (_coordinator is not null && _subscriptions.IsSubscribed)
                await _coordinator.LeaveGroupAsync("the consumer is being closed", timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            if (_coordinator is not null) await _coordinator.DisposeAsync().ConfigureAwait(false);
            await _cluster.DisposeAsync().ConfigureAwait(false);
            _fetcher.Dispose();
            _wakeup.Dispose();
        }
    }

    public void Dispose() => Close();

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private CancellationTokenSource DefaultTimeout(CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_config.DefaultApiTimeoutMs);
        return cts;
    }

    private void RequireGroup()
    {
        if (_coordinator is null) throw new InvalidOperationException("This needs group.id in the consumer config.");
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
}
