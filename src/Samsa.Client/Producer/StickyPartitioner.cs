namespace Samsa.Client.Producer;

/// <summary>
/// The uniform sticky partitioner for records without a key: all of a topic's keyless records go
/// to one partition until about batch.size bytes went there, then another partition is picked at
/// random among those with a leader. With adaptive partitioning the pick favours partitions whose
/// queues are shorter (weight = longest queue + 1 - queue length).
/// </summary>
internal sealed class StickyPartitioner(int batchSize, bool adaptive)
{
    private readonly Dictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    /// <summary>The partition for the next keyless record of <paramref name="topic"/>.</summary>
    /// <param name="available">Partitions with a known leader (may be empty: then any partition).</param>
    /// <param name="queueLength">Batches queued per partition, for adaptive picking.</param>
    public int Partition(string topic, int partitionCount, ReadOnlySpan<int> available, Func<string, int, int>? queueLength)
    {
        lock (_lock)
        {
            if (!_topics.TryGetValue(topic, out var state)) _topics[topic] = state = new TopicState();
            if (state.Current < 0 || state.Current >= partitionCount || state.Bytes >= batchSize)
            {
                state.Current = Pick(topic, partitionCount, available, queueLength, state.Current);
                state.Bytes = 0;
            }
            return state.Current;
        }
    }

    /// <summary>
    /// The sticky partition while no switch is due, else -1: the caller lists the partitions with a
    /// leader (a walk over all of them) only when a new pick needs it, not for every record.
    /// </summary>
    public int Current(string topic, int partitionCount)
    {
        lock (_lock)
        {
            return _topics.TryGetValue(topic, out var state) && state.Current >= 0 && state.Current < partitionCount && state.Bytes < batchSize
                ? state.Current
                : -1;
        }
    }

    /// <summary>Counts bytes appended to the sticky partition; the switch happens on the next record.</summary>
    public void OnAppend(string topic, int partition, int bytes)
    {
        lock (_lock)
        {
            if (_topics.TryGetValue(topic, out var state) && state.Current == partition) state.Bytes += bytes;
        }
    }

    private int Pick(string topic, int partitionCount, ReadOnlySpan<int> available, Func<string, int, int>? queueLength, int previous)
    {
        if (available.Length == 0) return Random.Shared.Next(partitionCount);
        if (available.Length == 1) return available[0];
        if (adaptive && queueLength is not null)
        {
            var max = 0;
            foreach (var p in available) max = Math.Max(max, queueLength(topic, p));
            if (max > 0)
            {
                long total = 0;
                foreach (var p in available) total += max + 1 - queueLength(topic, p);
                var r = Random.Shared.NextInt64(total);
                foreach (var p in available)
                {
                    r -= max + 1 - queueLength(topic, p);
                    if (r < 0) return p;
                }
            }
        }
        // Uniform among the others, so a switch really moves on.
        while (true)
        {
            var p = available[Random.Shared.Next(available.Length)];
            if (p != previous) return p;
        }
    }

    private sealed class TopicState
    {
        public int Current = -1;
        public int Bytes;
    }
}
