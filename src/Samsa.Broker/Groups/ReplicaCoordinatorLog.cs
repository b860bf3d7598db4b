using Samsa.Broker.Replicas;
using Samsa.Protocol;
using Samsa.Protocol.Records;
using Samsa.Storage;

namespace Samsa.Broker.Groups;

/// <summary>
/// <see cref="ICoordinatorLog"/> on the replica manager: the offsets topic is an ordinary topic of
/// the metadata image (created on first use, <c>cleanup.policy=compact</c>), appended to as its
/// leader with acks=all like any producer, read back from the hosted partition's log.
/// Thread-safe: appends to one partition are serialised here so batches keep their order.
/// </summary>
public sealed class ReplicaCoordinatorLog : ICoordinatorLog
{
    private readonly ReplicaManager _replicas;
    private readonly TimeProvider _time;
    private readonly Lock[] _appendLocks;

    public ReplicaCoordinatorLog(ReplicaManager replicas, int partitionCount, TimeProvider? time = null)
    {
        _replicas = replicas;
        PartitionCount = partitionCount;
        _time = time ?? TimeProvider.System;
        _appendLocks = new Lock[partitionCount];
        for (int i = 0; i < partitionCount; i++) _appendLocks[i] = new Lock();
    }

    public int PartitionCount { get; }

    public ValueTask<ErrorCode> AppendAsync(int partition, IReadOnlyList<CoordinatorRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0) return ValueTask.FromResult(ErrorCode.None);
        var error = _replicas.GetLeaderPartition(LocalCoordinatorLog.TopicName, partition, out var leader);
        if (error != ErrorCode.None || leader is null) return ValueTask.FromResult(error == ErrorCode.None ? ErrorCode.NotLeaderOrFollower : error);
        using var builder = new RecordBatchBuilder();
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var r in records) builder.Append(now, r.Key, r.Value);
        byte[] batch = builder.Build().ToArray();
        lock (_appendLocks[partition])
        {
            return ValueTask.FromResult(_replicas.AppendToLeader(leader, batch, requiredAcks: -1).Error);
        }
    }

    public IEnumerable<CoordinatorRecord> ReadAll(int partition) =>
        _replicas.GetPartition(new TopicPartition(LocalCoordinatorLog.TopicName, partition)) is { } p
            ? LocalCoordinatorLog.ReadAll(p.Log)
            : [];
}
