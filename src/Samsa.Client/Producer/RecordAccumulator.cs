using System.Collections.Concurrent;
using Samsa.Protocol.Records;

namespace Samsa.Client.Producer;

/// <summary>
/// Per-partition queues of batches. Application threads append records (encoded straight into the
/// last batch's pooled buffer); the sender asks which leaders have sendable batches and drains one
/// batch per partition into each request. Locks are per partition; memory is bounded by the
/// <see cref="BufferPool"/>. With idempotence it assigns sequence numbers at drain time and keeps a
/// retried batch alone in flight until it is resolved, so a partition never reorders.
/// </summary>
internal sealed class RecordAccumulator
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionQueue> _queues = new();
    private readonly Stack<ProducerBatch> _spare = new();
    private readonly object _completionLock = new();
    private readonly BufferPool _pool;
    private readonly TimeProvider _time;
    private readonly int _batchSize;
    private readonly long _lingerTicks;
    private readonly int _maxInFlightPerPartition;
    private int _incomplete;
    private int _flushes;
    private TaskCompletionSource? _drained;
    private volatile bool _closing;

    public RecordAccumulator(int batchSize, long bufferMemory, int lingerMs, int maxInFlightPerPartition, TimeProvider time)
    {
        _batchSize = Math.Max(batchSize, 1);
        _pool = new BufferPool(bufferMemory, Math.Max(batchSize, RecordBatchLayout.RecordsOffset + 64));
        _lingerTicks = TimeSpan.FromMilliseconds(lingerMs).Ticks;
        _maxInFlightPerPartition = Math.Max(maxInFlightPerPartition, 1);
        _time = time;
    }

    public BufferPool Pool => _pool;

    public int IncompleteBatches => Volatile.Read(ref _incomplete);

    public bool IsClosing => _closing;

    public IEnumerable<KeyValuePair<TopicPartition, PartitionQueue>> Queues => _queues;

    public PartitionQueue Queue(TopicPartition tp) => _queues.GetOrAdd(tp, static _ => new PartitionQueue());

    /// <summary>Batches waiting (not in flight) on a partition, for the adaptive partitioner.</summary>
    public int QueueLength(TopicPartition tp) => _queues.TryGetValue(tp, out var q) ? q.Batches.Count : 0;

    /// <summary>
    /// Appends one record. Returns true when the sender should be woken (a batch filled up or a
    /// new one started) and the partition has a free in-flight slot: when it has none, nothing can
    /// be sent before an answer, and the answer's thread drains the partition (Sender.SendReadyNow);
    /// waking the sender thread only cost a context switch per batch. Blocks while buffer.memory is
    /// exhausted, up to <paramref name="deadlineTicks"/>.
    /// </summary>
    public bool Append(TopicPartition tp, long timestamp, ReadOnlySpan<byte> key, int keyLength,
        ReadOnlySpan<byte> value, int valueLength, Headers? headers, object? handler, long deadlineTicks)
    {
        var q = Queue(tp);
        lock (q)
        {
            if (q.Batches.Last is { IsClosed: false } last
                && last.TryAppend(timestamp, key, keyLength, value, valueLength, headers, handler))
                return last.SizeInBytes >= _batchSize && q.InFlight < _maxInFlightPerPartition;
        }

        var size = Math.Max(_batchSize, RecordBatchLayout.RecordsOffset + ProducerBatch.EstimateSize(keyLength, valueLength, headers));
        var buffer = _pool.Allocate(size, deadlineTicks, _time);
        lock (q)
        {
            // Another thread may have opened a batch while this one waited for memory.
            if (q.Batches.Last is { IsClosed: false } last
                && last.TryAppend(timestamp, key, keyLength, value, valueLength, headers, handler))
            {
                _pool.Deallocate(buffer);
                return last.SizeInBytes >= _batchSize && q.InFlight < _maxInFlightPerPartition;
            }
            q.Batches.Last?.Close();
            var batch = RentBatch();
            batch.Initialize(tp, buffer, _batchSize, _time.GetUtcNow().UtcTicks);
            if (!batch.TryAppend(timestamp, key, keyLength, value, valueLength, headers, handler))
            {
                _pool.Deallocate(batch.ReleaseBuffer());
                ReturnBatch(batch);
                throw new InvalidOperationException("A record did not fit an empty batch sized for it.");
            }
            q.Batches.AddLast(batch);
            Interlocked.Increment(ref _incomplete);
            return q.InFlight < _maxInFlightPerPartition;
        }
    }

    /// <summary>
    /// Adds the leaders with sendable batches to <paramref name="readyNodes"/>; topics whose leader is
    /// unknown go to <paramref name="unknownLeaders"/>. Returns the ticks until the next batch may be ready.
    /// </summary>
    public long Ready(long now, Func<TopicPartition, int> leaderOf, HashSet<int> readyNodes, HashSet<string> unknownLeaders)
    {
        var next = long.MaxValue;
        var eager = _closing || Volatile.Read(ref _flushes) > 0 || _pool.HasWaiters;
        foreach (var (tp, q) in _queues)
        {
            lock (q)
            {
                var first = q.Batches.First;
                if (first is null) continue;
                var leader = leaderOf(tp);
                if (leader < 0)
                {
                    unknownLeaders.Add(tp.Topic);
                    continue;
                }
                if (first.Attempts > 0 && first.RetryAfterTicks > now)
                {
                    next = Math.Min(next, first.RetryAfterTicks - now);
                    continue;
                }
                var full = q.Batches.Count > 1 || first.IsClosed || first.SizeInBytes >= _batchSize;
                var waited = now - first.CreatedTicks;
                if (full || eager || waited >= _lingerTicks || first.Attempts > 0) readyNodes.Add(leader);
                else next = Math.Min(next, _lingerTicks - waited);
            }
        }
        return next;
    }

    /// <summary>
    /// Takes the first batch of each partition led by <paramref name="node"/>, up to
    /// <paramref name="maxBytes"/> in total (at least one batch). Sequence numbers are assigned
    /// here when <paramref name="producerId"/> is set.
    /// </summary>
    public List<ProducerBatch> Drain(int node, Func<TopicPartition, int> leaderOf, int maxBytes, long now,
        long producerId, short producerEpoch)
    {
        var drained = new List<ProducerBatch>();
        var size = 0;
        var idempotent = producerId >= 0;
        foreach (var (tp, q) in _queues)
        {
            if (leaderOf(tp) != node) continue;
            lock (q)
            {
                var first = q.Batches.First;
                if (first is null) continue;
                if (first.Attempts > 0 && first.RetryAfterTicks > now) continue;
                if (q.InFlight >= _maxInFlightPerPartition) continue;
                // A retried batch goes alone: nothing after it may overtake it.
                if (idempotent && first.BaseSequence >= 0 && q.InFlight > 0) continue;
                if (drained.Count > 0 && size + first.SizeInBytes > maxBytes) break;
                q.Batches.RemoveFirst();
                first.Close();
                if (idempotent && first.BaseSequence < 0)
                {
                    first.BaseSequence = q.NextSequence;
                    q.NextSequence += first.RecordCount;
                }
                if (idempotent)
                {
                    first.ProducerId = producerId;
                    first.ProducerEpoch = producerEpoch;
                }
                q.InFlight++;
                size += first.SizeInBytes;
                drained.Add(first);
            }
        }
        return drained;
    }

    /// <summary>A drained batch failed with a retriable error: back to its queue in sequence order.</summary>
    public void Requeue(ProducerBatch batch, long retryAfterTicks)
    {
        var q = Queue(batch.Partition);
        lock (q)
        {
            q.InFlight--;
            batch.Attempts++;
            batch.RetryAfterTicks = retryAfterTicks;
            q.Batches.InsertInSequenceOrder(batch);
        }
    }

    /// <summary>A batch is done (acknowledged or failed): its memory goes back to the pool.</summary>
    public void Release(ProducerBatch batch, bool wasInFlight)
    {
        if (wasInFlight)
        {
            var q = Queue(batch.Partition);
            lock (q)
            {
                q.InFlight--;
                if (batch.BaseSequence >= 0)
                    q.LastAckedSequence = Math.Max(q.LastAckedSequence, batch.BaseSequence + batch.RecordCount - 1);
            }
        }
        _pool.Deallocate(batch.ReleaseBuffer());
        ReturnBatch(batch);
        lock (_completionLock)
        {
            // Interlocked: Append increments outside this lock, and a lost update left close and flush waiting forever.
            if (Interlocked.Decrement(ref _incomplete) == 0 && _drained is { } drained)
            {
                _drained = null;
                drained.TrySetResult();
            }
        }
    }

    /// <summary>After an epoch bump every partition starts again at sequence 0; queued batches get new sequences.</summary>
    public void ResetSequences()
    {
        foreach (var (_, q) in _queues)
        {
            lock (q)
            {
                q.NextSequence = 0;
                q.LastAckedSequence = -1;
                for (var i = 0; i < q.Batches.Count; i++) q.Batches[i].BaseSequence = -1;
            }
        }
    }

    /// <summary>Removes queued batches older than the delivery timeout; the caller fails them.</summary>
    public List<ProducerBatch>? Expire(long now, long deliveryTimeoutTicks)
    {
        List<ProducerBatch>? expired = null;
        foreach (var (_, q) in _queues)
        {
            lock (q)
            {
                while (q.Batches.First is { } first && now - first.CreatedTicks >= deliveryTimeoutTicks
                    && (first.BaseSequence < 0 || q.InFlight == 0))
                {
                    (expired ??= []).Add(q.Batches.RemoveFirst());
                }
            }
        }
        return expired;
    }

    /// <summary>Removes every queued batch (producer closing without flush, or fatal error).</summary>
    public List<ProducerBatch> DrainAll()
    {
        var all = new List<ProducerBatch>();
        foreach (var (_, q) in _queues)
        {
            lock (q)
            {
                while (q.Batches.Count > 0) all.Add(q.Batches.RemoveFirst());
            }
        }
        return all;
    }

    /// <summary>Completes when every batch appended so far (and since) is done; sends eagerly meanwhile.</summary>
    public Task FlushAsync()
    {
        Interlocked.Increment(ref _flushes);
        Task task;
        lock (_completionLock)
        {
            if (_incomplete == 0) task = Task.CompletedTask;
            else task = (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        return task.ContinueWith(_ => Interlocked.Decrement(ref _flushes), TaskScheduler.Default);
    }

    public void BeginClose() => _closing = true;

    private ProducerBatch RentBatch()
    {
        lock (_spare) return _spare.Count > 0 ? _spare.Pop() : new ProducerBatch();
    }

    private void ReturnBatch(ProducerBatch batch)
    {
        lock (_spare)
        {
            if (_spare.Count < 1024) _spare.Push(batch);
        }
    }

    /// <summary>One partition's queue and its idempotence state; locked by the instance itself.</summary>
    internal sealed class PartitionQueue
    {
        public BatchDeque Batches { get; } = new();
        public int InFlight;
        public int NextSequence;
        public int LastAckedSequence = -1;
    }
}
