using System.Collections.Immutable;
using Samsa.Storage;

namespace Samsa.Broker.Replicas;

/// <summary>Who leads a partition and who is in sync, as the metadata image says (immutable).</summary>
public sealed record PartitionLeadership(int LeaderId, int LeaderEpoch, ImmutableArray<int> Replicas, ImmutableArray<int> Isr);

/// <summary>
/// A partition hosted on this broker (Kafka's Partition): its log, its leadership as the metadata
/// image says, and the high watermark rule. With an ISR of this broker alone the high watermark is
/// the log end offset right after each append; with followers it will move as they fetch.
/// Thread-safety: leadership is one volatile immutable snapshot; appends are serialised by the log.
/// </summary>
public sealed class Partition
{
    private volatile PartitionLeadership _leadership;
    private long _bytesAppended;

    internal Partition(TopicPartition topicPartition, Guid topicId, PartitionLog log, int localBrokerId, PartitionLeadership leadership)
    {
        TopicPartition = topicPartition;
        TopicId = topicId;
        Log = log;
        LocalBrokerId = localBrokerId;
        _leadership = leadership;
    }

    public TopicPartition TopicPartition { get; }
    public string Topic => TopicPartition.Topic;
    public int Index => TopicPartition.Partition;
    public Guid TopicId { get; }
    public PartitionLog Log { get; }
    public int LocalBrokerId { get; }
    public PartitionLeadership Leadership => _leadership;
    public bool IsLeader => _leadership.LeaderId == LocalBrokerId;
    public int LeaderEpoch => _leadership.LeaderEpoch;

    /// <summary>
    /// Bytes appended since the partition was opened here. A waiting fetch compares it with the
    /// value it saw to estimate new bytes without touching the log.
    /// </summary>
    public long BytesAppended => Volatile.Read(ref _bytesAppended);

    /// <summary>Read-committed consumers stop here; without transaction markers it is the high watermark.</summary>
    public long LastStableOffset => Log.HighWatermark;

    internal void UpdateLeadership(PartitionLeadership leadership)
    {
        _leadership = leadership;
        if (leadership.LeaderId == LocalBrokerId)
        {
            MaybeIncrementHighWatermark(leadership);
        }
    }

    /// <summary>Appends as leader at the current leader epoch and moves the high watermark.</summary>
    internal LogAppendResult AppendAsLeader(Span<byte> records)
    {
        PartitionLeadership leadership = _leadership;
        LogAppendResult result = Log.AppendAsLeader(records, leadership.LeaderEpoch);
        if (result.Succeeded && !result.Duplicate)
        {
            Interlocked.Add(ref _bytesAppended, records.Length);
            MaybeIncrementHighWatermark(leadership);
        }
        return result;
    }

    /// <summary>The high watermark is the smallest log end offset of the ISR; alone, our own.</summary>
    private void MaybeIncrementHighWatermark(PartitionLeadership leadership)
    {
        if (leadership.Isr.Length <= 1 && !Log.IsOffline)
        {
            // Atomic with appends: a leadership update reading the log end before a concurrent
            // append and writing it after would otherwise pull the high watermark back.
            Log.AdvanceHighWatermarkToLogEnd();
        }
    }

    public override string ToString() => TopicPartition.ToString();
}
