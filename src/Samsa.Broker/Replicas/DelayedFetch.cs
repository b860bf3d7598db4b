namespace Samsa.Broker.Replicas;

/// <summary>
/// A fetch waiting for <c>fetch.min.bytes</c> (Kafka's DelayedFetch). It completes when the bytes
/// that became readable since its last read reach the minimum, when a partition's situation changes
/// (leadership moved, the fetch offset fell out of the log), at the deadline, or when the
/// connection goes. The check reads only counters; the read itself happens once, on completion,
/// off the appending thread.
/// </summary>
public sealed class DelayedFetch : DelayedOperation
{
    private readonly ReplicaManager _replicaManager;
    private readonly FetchParams _fetch;
    private readonly IReadOnlyList<FetchPartitionState> _states;
    private readonly Action _respond;

    /// <param name="respond">Reads the partitions again and answers; runs on the thread pool.</param>
    public DelayedFetch(ReplicaManager replicaManager, in FetchParams fetch, IReadOnlyList<FetchPartitionState> states, Action respond)
    {
        _replicaManager = replicaManager;
        _fetch = fetch;
        _states = states;
        _respond = respond;
    }

    protected override bool CanComplete()
    {
        long accumulated = 0;
        foreach (FetchPartitionState s in _states)
        {
            if (s.RequestError != Protocol.ErrorCode.None || s.Partition is not { } p)
            {
                continue;
            }
            if (_replicaManager.CurrentError(p, s) != Protocol.ErrorCode.None)
            {
                return true;
            }
            try
            {
                Storage.PartitionLog log = p.Log;
                if (s.FetchOffset < log.LogStartOffset || s.FetchOffset > log.LogEndOffset)
                {
                    return true;
                }
                long bound = _fetch.IsFromFollower ? log.LogEndOffset
                    : _fetch.IsolationLevel == 1 ? p.LastStableOffset
                    : log.HighWatermark;
                if (bound > s.FetchOffset)
                {
                    long fresh = s.ReadBytes + (p.BytesAppended - s.BytesAppendedAtRead);
                    accumulated += Math.Max(1, Math.Min(fresh, s.PartitionMaxBytes));
                }
            }
            catch (Storage.KafkaStorageException)
            {
                return true;
            }
        }
        return accumulated >= _fetch.MinBytes;
    }

    protected override void OnComplete() =>
        ThreadPool.UnsafeQueueUserWorkItem(static r => r(), _respond, preferLocal: false);
}
