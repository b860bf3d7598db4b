using Samsa.Protocol;
using Samsa.Storage;

namespace Samsa.Broker.Replicas;

/// <summary>The request-wide settings of a fetch.</summary>
/// <param name="ReplicaId">-1 for consumers, a broker id for followers.</param>
/// <param name="MaxWaitMs">How long to wait for <paramref name="MinBytes"/>.</param>
/// <param name="MinBytes">Answer as soon as this many bytes are available.</param>
/// <param name="MaxBytes">Bytes of records in the whole response (a first batch may exceed it).</param>
/// <param name="IsolationLevel">0 read_uncommitted, 1 read_committed.</param>
public readonly record struct FetchParams(int ReplicaId, int MaxWaitMs, int MinBytes, int MaxBytes, byte IsolationLevel)
{
    public bool IsFromFollower => ReplicaId >= 0;
}

/// <summary>
/// One partition of a fetch: what was asked, what is known about it, and the latest read of its
/// log. The read holds a lease on a segment file until <see cref="ReleaseRead"/>.
/// </summary>
public sealed class FetchPartitionState
{
    public FetchPartitionState(TopicPartition topicPartition, Partition? partition, ErrorCode requestError, long fetchOffset, int partitionMaxBytes, int currentLeaderEpoch)
    {
        TopicPartition = topicPartition;
        Partition = partition;
        RequestError = requestError;
        Error = requestError;
        FetchOffset = fetchOffset;
        PartitionMaxBytes = partitionMaxBytes;
        CurrentLeaderEpoch = currentLeaderEpoch;
    }

    public TopicPartition TopicPartition { get; }
    /// <summary>The hosted partition; null when <see cref="RequestError"/> says why not.</summary>
    public Partition? Partition { get; }
    /// <summary>An error known before reading (unknown topic, not leader, ...).</summary>
    public ErrorCode RequestError { get; }
    public long FetchOffset { get; }
    public int PartitionMaxBytes { get; }
    public int CurrentLeaderEpoch { get; }

    /// <summary>The outcome of the latest read.</summary>
    public ErrorCode Error { get; internal set; }
    public LogReadResult? Read { get; internal set; }
    public long HighWatermark { get; internal set; } = -1;
    public long LastStableOffset { get; internal set; } = -1;
    public long LogStartOffset { get; internal set; } = -1;
    /// <summary><see cref="Replicas.Partition.BytesAppended"/> just before the latest read.</summary>
    public long BytesAppendedAtRead { get; internal set; }

    /// <summary>Bytes the latest read found (kept after the read is released).</summary>
    public int ReadBytes { get; internal set; }

    public void ReleaseRead()
    {
        Read?.Dispose();
        Read = null;
    }
}
