using Samsa.Broker.Groups;
using Samsa.Protocol;

namespace Samsa.Groups.Tests.Coordinator;

/// <summary>The offsets topic as lists in memory; appends can be made to fail.</summary>
internal sealed class InMemoryCoordinatorLog(int partitionCount = 50) : InMemoryCoordinatorLogBase(partitionCount);

internal class InMemoryCoordinatorLogBase(int partitionCount = 50) : ICoordinatorLog
{
    private readonly List<CoordinatorRecord>[] _partitions = Enumerable.Range(0, partitionCount).Select(_ => new List<CoordinatorRecord>()).ToArray();

    public int PartitionCount => partitionCount;

    /// <summary>When not None, every append fails with it and writes nothing.</summary>
    public ErrorCode FailWith { get; set; }

    public virtual ValueTask<ErrorCode> AppendAsync(int partition, IReadOnlyList<CoordinatorRecord> records, CancellationToken cancellationToken = default)
    {
        if (FailWith != ErrorCode.None) return ValueTask.FromResult(FailWith);
        lock (_partitions[partition]) _partitions[partition].AddRange(records);
        return ValueTask.FromResult(ErrorCode.None);
    }

    public IEnumerable<CoordinatorRecord> ReadAll(int partition)
    {
        lock (_partitions[partition]) return _partitions[partition].ToArray();
    }

    public IReadOnlyList<CoordinatorRecord> Records(int partition) => ReadAll(partition).ToArray();
}
