using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// The partitions of <c>__consumer_offsets</c> as the group coordinator needs them: append as the
/// leader and read everything back when taking a partition over. Kept narrow so the coordinator
/// works the same on a local log (tests, single broker) and on the replica manager.
/// </summary>
public interface ICoordinatorLog
{
    /// <summary>Number of partitions of the offsets topic (offsets.topic.num.partitions).</summary>
    int PartitionCount { get; }

    /// <summary>
    /// Appends the records as one batch to the partition and completes once they are durable as
    /// the topic's acks=all would make them; the error is what the client should be told
    /// (NOT_COORDINATOR when this broker no longer leads the partition, ...).
    /// </summary>
    ValueTask<ErrorCode> AppendAsync(int partition, IReadOnlyList<CoordinatorRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Every record of the partition from its log start, in offset order.</summary>
    IEnumerable<CoordinatorRecord> ReadAll(int partition);
}
