using Samsa.Protocol;
using Samsa.Protocol.Records;
using Samsa.Storage;

namespace Samsa.Broker.Groups;

/// <summary>
/// <see cref="ICoordinatorLog"/> straight on this broker's <see cref="LogManager"/>: the offsets
/// topic's partitions are local logs with <c>cleanup.policy=compact</c>, this broker their only
/// replica (high watermark = log end after each append). Thread-safe (the partition logs are).
/// </summary>
public sealed class LocalCoordinatorLog : ICoordinatorLog
{
    public const string TopicName = "__consumer_offsets";

    private readonly LogManager _logs;
    private readonly Guid _topicId;
    private readonly LogConfig _config;
    private readonly TimeProvider _time;
    private readonly Lock[] _appendLocks;

    public LocalCoordinatorLog(LogManager logs, int partitionCount, Guid topicId, LogConfig? config = null, TimeProvider? time = null)
    {
        _logs = logs;
        PartitionCount = partitionCount;
        _topicId = topicId;
        _config = (config ?? logs.Options.DefaultConfig) with { CleanupPolicy = "compact" };
        _time = time ?? TimeProvider.System;
        _appendLocks = new Lock[partitionCount];
        for (int i = 0; i < partitionCount; i++) _appendLocks[i] = new Lock();
    }

    public int PartitionCount { get; }

    private PartitionLog Log(int partition) => _logs.GetOrCreateLog(TopicName, partition, _topicId, _config);

    public ValueTask<ErrorCode> AppendAsync(int partition, IReadOnlyList<CoordinatorRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0) return ValueTask.FromResult(ErrorCode.None);
        using var builder = new RecordBatchBuilder();
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var r in records) builder.Append(now, r.Key, r.Value);
        byte[] batch = builder.Build().ToArray();
        var log = Log(partition);
        lock (_appendLocks[partition])
        {
            var result = log.AppendAsLeader(batch, log.LatestLeaderEpoch < 0 ? 0 : log.LatestLeaderEpoch);
            if (!result.Succeeded) return ValueTask.FromResult(result.Error);
            log.HighWatermark = log.LogEndOffset;
        }
        return ValueTask.FromResult(ErrorCode.None);
    }

    /// <summary>Reads the partition's log if it exists; partitions never written to are not created.</summary>
    public IEnumerable<CoordinatorRecord> ReadAll(int partition) =>
        _logs.GetLog(TopicName, partition) is { } log ? ReadAll(log) : [];

    /// <summary>Every record of a log from its start, skipping control batches (reads 1 MiB at a time).</summary>
    public static IEnumerable<CoordinatorRecord> ReadAll(PartitionLog log)
    {
        long offset = log.LogStartOffset;
        long end = log.LogEndOffset;
        while (offset < end)
        {
            byte[] bytes;
            using (var read = log.Read(offset, 1024 * 1024, end, minOneMessage: true))
            {
                if (read.Error != ErrorCode.None || read.Region is not { } region || region.Length == 0) yield break;
                bytes = new byte[region.Length];
                region.Read(0, bytes);
            }
            var records = new List<CoordinatorRecord>();
            long next = Parse(bytes, offset, records);
            foreach (var r in records) yield return r;
            if (next <= offset) yield break;
            offset = next;
        }
    }

    private static long Parse(byte[] bytes, long from, List<CoordinatorRecord> records)
    {
        long next = from;
        foreach (var batch in RecordBatch.Enumerate(bytes))
        {
            next = batch.NextOffset;
            if (batch.IsControl) continue;
            foreach (var record in batch)
            {
                if (record.Offset < from || !record.HasKey) continue;
                records.Add(new CoordinatorRecord(record.Key.ToArray(), record.HasValue ? record.Value.ToArray() : null));
            }
        }
        return next;
    }
}
