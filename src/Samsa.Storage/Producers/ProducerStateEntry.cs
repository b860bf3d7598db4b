namespace Samsa.Storage.Producers;

/// <summary>Sequence range and offsets of one appended batch of an idempotent producer.</summary>
internal readonly record struct BatchMetadata(int FirstSeq, int LastSeq, long FirstOffset, long LastOffset, long Timestamp);

/// <summary>
/// What a partition remembers about one producer id: its epoch and its last five batches (Kafka keeps
/// five because a producer has at most five requests in flight, so any retry is one of them).
/// Not thread-safe: owned by <see cref="ProducerStateManager"/> under the partition lock.
/// </summary>
internal sealed class ProducerStateEntry
{
    public const int BatchesKept = 5;

    private readonly BatchMetadata[] _batches = new BatchMetadata[BatchesKept];
    private int _count;
    private int _next;

    public ProducerStateEntry(long producerId)
    {
        ProducerId = producerId;
    }

    public long ProducerId { get; }
    public short Epoch { get; set; } = -1;
    public int CoordinatorEpoch { get; set; } = -1;
    public long CurrentTxnFirstOffset { get; set; } = -1;
    public long LastTimestamp { get; set; } = -1;
    public int BatchCount => _count;

    public BatchMetadata? Last => _count == 0 ? null : _batches[(_next + BatchesKept - 1) % BatchesKept];
    public int LastSeq => Last?.LastSeq ?? -1;

    public void AddBatch(BatchMetadata batch)
    {
        _batches[_next] = batch;
        _next = (_next + 1) % BatchesKept;
        _count = Math.Min(_count + 1, BatchesKept);
        LastTimestamp = batch.Timestamp;
    }

    public void ClearBatches()
    {
        _count = 0;
        _next = 0;
    }

    public BatchMetadata? FindDuplicate(int firstSeq, int lastSeq)
    {
        for (int i = 0; i < _count; i++)
        {
            BatchMetadata b = _batches[i];
            if (b.FirstSeq == firstSeq && b.LastSeq == lastSeq)
            {
                return b;
            }
        }
        return null;
    }

    public ProducerStateEntry Clone()
    {
        var c = new ProducerStateEntry(ProducerId)
        {
            Epoch = Epoch,
            CoordinatorEpoch = CoordinatorEpoch,
            CurrentTxnFirstOffset = CurrentTxnFirstOffset,
            LastTimestamp = LastTimestamp,
        };
        Array.Copy(_batches, c._batches, BatchesKept);
        c._count = _count;
        c._next = _next;
        return c;
    }
}
