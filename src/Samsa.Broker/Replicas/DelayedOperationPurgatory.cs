using System.Collections.Concurrent;
using Samsa.Storage;

namespace Samsa.Broker.Replicas;

/// <summary>
/// Holds delayed operations watched by partition (Kafka's purgatory). An append calls
/// <see cref="CheckAndComplete"/> for its partition, which retries exactly the operations waiting on
/// it: no polling loop. Completed operations leave every watch list at once.
/// Thread-safety: all members may be called concurrently.
/// </summary>
public sealed class DelayedOperationPurgatory<T>
    where T : DelayedOperation
{
    private readonly ConcurrentDictionary<TopicPartition, Watchers> _watchers = new();
    private readonly TimeProvider _time;

    public DelayedOperationPurgatory(TimeProvider time) => _time = time;

    /// <summary>Operations currently waiting (an operation watching several partitions counts once per partition).</summary>
    public int WatchedCount
    {
        get
        {
            int n = 0;
            foreach (Watchers w in _watchers.Values)
            {
                n += w.Count;
            }
            return n;
        }
    }

    /// <summary>
    /// Completes <paramref name="operation"/> now if it can; otherwise watches it on
    /// <paramref name="keys"/> until its condition holds, <paramref name="timeout"/> passes or
    /// <paramref name="cancellationToken"/> fires. Returns true when it completed right away.
    /// </summary>
    public bool TryCompleteElseWatch(T operation, IReadOnlyList<TopicPartition> keys, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (operation.TryComplete())
        {
            return true;
        }
        var lists = new Watchers[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            lists[i] = _watchers.GetOrAdd(keys[i], static _ => new Watchers());
        }
        operation.Completed += _ => Forget(operation, lists);
        foreach (Watchers w in lists)
        {
            w.Add(operation);
        }
        // An append between the first check and the watch would otherwise be missed.
        if (operation.TryComplete())
        {
            Forget(operation, lists); // it may have completed before it was in every list
            return true;
        }
        operation.Arm(_time, timeout, cancellationToken);
        return operation.IsCompleted;
    }

    /// <summary>Retries the operations watching <paramref name="key"/>; returns how many completed.</summary>
    public int CheckAndComplete(TopicPartition key)
    {
        if (!_watchers.TryGetValue(key, out Watchers? w) || w.Count == 0)
        {
            return 0;
        }
        int completed = 0;
        foreach (DelayedOperation op in w.Snapshot())
        {
            if (!op.IsCompleted && op.TryComplete())
            {
                completed++;
            }
        }
        return completed;
    }

    /// <summary>Forces every operation watching <paramref name="key"/> to complete (the partition went away).</summary>
    public void CompleteAll(TopicPartition key)
    {
        if (_watchers.TryRemove(key, out Watchers? w))
        {
            foreach (DelayedOperation op in w.Snapshot())
            {
                op.ForceComplete();
            }
        }
    }

    private static void Forget(DelayedOperation operation, Watchers[] lists)
    {
        foreach (Watchers w in lists)
        {
            w.Remove(operation);
        }
    }

    private sealed class Watchers
    {
        private readonly List<DelayedOperation> _ops = [];
        private DelayedOperation[]? _snapshot;

        public int Count
        {
            get
            {
                lock (_ops)
                {
                    return _ops.Count;
                }
            }
        }

        public void Add(DelayedOperation op)
        {
            lock (_ops)
            {
                _ops.Add(op);
                _snapshot = null;
            }
        }

        public void Remove(DelayedOperation op)
        {
            lock (_ops)
            {
                if (_ops.Remove(op))
                {
                    _snapshot = null;
                }
            }
        }

        /// <summary>An array reused until the list changes, so a check with nothing new allocates nothing.</summary>
        public DelayedOperation[] Snapshot()
        {
            lock (_ops)
            {
                return _snapshot ??= [.. _ops];
            }
        }
    }
}
