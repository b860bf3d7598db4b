using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Protocol;
using Samsa.Storage;

namespace Samsa.Broker.Replicas;

/// <summary>
/// The partitions this broker hosts and the data path on them (Kafka's ReplicaManager): leader
/// appends with <c>acks</c> and <c>min.insync.replicas</c>, reads for fetches, offsets by
/// timestamp, DeleteRecords, and the purgatory where fetches wait for data. Which partitions exist
/// and who leads them comes from the metadata image through <see cref="PartitionManager"/>; nothing
/// here invents metadata.
/// Thread-safety: all members may be called concurrently.
/// </summary>
public sealed class ReplicaManager : IDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();
    private readonly ConcurrentDictionary<string, KnownTopic> _topicsByName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, KnownTopic> _topicsById = new();
    private readonly ILogger _logger;

    private BrokerLogManager? _logs;

    /// <summary>A replica manager whose logs are attached later, when the broker starts (<see cref="Startup"/>).</summary>
    public ReplicaManager(int localBrokerId, TimeProvider? time = null, ILogger<ReplicaManager>? logger = null)
    {
        LocalBrokerId = localBrokerId;
        Time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        FetchPurgatory = new DelayedOperationPurgatory<DelayedFetch>(Time);
    }

    public ReplicaManager(int localBrokerId, BrokerLogManager logs, TimeProvider? time = null, ILogger<ReplicaManager>? logger = null)
        : this(localBrokerId, time, logger)
    {
        _logs = logs;
    }

    public int LocalBrokerId { get; }

    /// <summary>The log directories; set once the broker's storage is open.</summary>
    public BrokerLogManager Logs => _logs ?? throw new InvalidOperationException("the replica manager has no log directories yet");

    /// <summary>Attaches the opened log directories (at broker start, before any request).</summary>
    public void Startup(BrokerLogManager logs)
    {
        if (Interlocked.CompareExchange(ref _logs, logs, null) is not null)
        {
            throw new InvalidOperationException("the replica manager is already started");
        }
    }
    public TimeProvider Time { get; }
    public DelayedOperationPurgatory<DelayedFetch> FetchPurgatory { get; }

    /// <summary>Partitions hosted here (leaders and followers).</summary>
    public ICollection<Partition> Partitions => _partitions.Values;

    // ------------------------------------------------------------------ state from the metadata image

    /// <summary>A topic as the image knows it, hosted here or not.</summary>
    public sealed record KnownTopic(string Name, Guid Id, int PartitionCount);

    /// <summary>Records a topic of the image (name, id, partition count).</summary>
    public void UpdateTopic(string name, Guid id, int partitionCount)
    {
        var topic = new KnownTopic(name, id, partitionCount);
        _topicsByName[name] = topic;
        _topicsById[id] = topic;
    }

    /// <summary>
    /// Hosts a partition (opening or creating its log) and applies its leadership. A partition
    /// that becomes leader with an ISR of one takes its log end offset as high watermark.
    /// </summary>
    public Partition ApplyPartition(string topic, Guid topicId, int index, PartitionLeadership leadership, LogConfig config)
    {
        var tp = new TopicPartition(topic, index);
        if (_partitions.TryGetValue(tp, out Partition? existing) && existing.TopicId == topicId)
        {
            if (!ReferenceEquals(existing.Log.Config, config) && existing.Log.Config != config)
            {
                existing.Log.UpdateConfig(config);
            }
            existing.UpdateLeadership(leadership);
            FetchPurgatory.CheckAndComplete(tp); // waiting fetches answer with the new leadership
            return existing;
        }
        PartitionLog log = Logs.GetOrCreateLog(topic, index, topicId, config);
        var partition = new Partition(tp, topicId, log, LocalBrokerId, leadership);
        partition.UpdateLeadership(leadership);
        _partitions[tp] = partition;
        _logger.LogInformation("{Partition}: hosted here, leader {Leader} at epoch {Epoch}", tp, leadership.LeaderId, leadership.LeaderEpoch);
        return partition;
    }

    /// <summary>Applies a changed topic config to the hosted partitions of a topic.</summary>
    public void UpdateConfig(string topic, LogConfig config)
    {
        foreach (Partition p in _partitions.Values)
        {
            if (p.Topic == topic && p.Log.Config != config)
            {
                p.Log.UpdateConfig(config);
            }
        }
    }

    /// <summary>Stops hosting a partition; its files go when <paramref name="deleteLog"/> (topic deletion).</summary>
    public void StopReplica(string topic, int index, bool deleteLog)
    {
        var tp = new TopicPartition(topic, index);
        _partitions.TryRemove(tp, out _);
        FetchPurgatory.CompleteAll(tp);
        if (deleteLog)
        {
            Logs.DeleteLog(topic, index);
            _logger.LogInformation("{Partition}: deleted", tp);
        }
    }

    /// <summary>Forgets a deleted topic and deletes its partitions' logs.</summary>
    public void RemoveTopic(string name, Guid id)
    {
        if (_topicsByName.TryGetValue(name, out KnownTopic? t) && t.Id == id)
        {
            _topicsByName.TryRemove(name, out _);
        }
        _topicsById.TryRemove(id, out _);
        foreach (Partition p in _partitions.Values)
        {
            if (p.Topic == name && p.TopicId == id)
            {
                StopReplica(name, p.Index, deleteLog: true);
            }
        }
    }

    public KnownTopic? GetTopic(string name) => _topicsByName.GetValueOrDefault(name);

    public KnownTopic? GetTopic(Guid id) => _topicsById.GetValueOrDefault(id);

    public Partition? GetPartition(TopicPartition tp) => _partitions.GetValueOrDefault(tp);

    /// <summary>
    /// The partition when this broker leads it, else the error a client gets: NOT_LEADER_OR_FOLLOWER
    /// for a partition the image knows but this broker does not lead, UNKNOWN_TOPIC_OR_PARTITION otherwise.
    /// </summary>
    public ErrorCode GetLeaderPartition(string topic, int index, out Partition? partition)
    {
        if (_partitions.TryGetValue(new TopicPartition(topic, index), out partition))
        {
            return partition.IsLeader ? ErrorCode.None : ErrorCode.NotLeaderOrFollower;
        }
        return _topicsByName.TryGetValue(topic, out KnownTopic? t) && index >= 0 && index < t.PartitionCount
            ? ErrorCode.NotLeaderOrFollower
            : ErrorCode.UnknownTopicOrPartition;
    }

    /// <summary>Checks a client's view of the leader epoch (-1: no check).</summary>
    public static ErrorCode CheckLeaderEpoch(Partition partition, int currentLeaderEpoch)
    {
        if (currentLeaderEpoch < 0)
        {
            return ErrorCode.None;
        }
        int epoch = partition.LeaderEpoch;
        return currentLeaderEpoch < epoch ? ErrorCode.FencedLeaderEpoch
            : currentLeaderEpoch > epoch ? ErrorCode.UnknownLeaderEpoch
            : ErrorCode.None;
    }

    // ------------------------------------------------------------------ produce

    /// <summary>
    /// Appends producer batches to a partition this broker leads. The batches are validated and
    /// their offsets assigned in place in <paramref name="records"/>. <paramref name="requiredAcks"/>
    /// -1 needs at least <c>min.insync.replicas</c> in the ISR (NOT_ENOUGH_REPLICAS otherwise).
    /// Waiting fetches on the partition are retried after the append.
    /// </summary>
    public PartitionAppendResult AppendToLeader(Partition partition, Span<byte> records, short requiredAcks)
    {
        if (!partition.IsLeader)
        {
            return PartitionAppendResult.Fail(ErrorCode.NotLeaderOrFollower, $"broker {LocalBrokerId} is not the leader of {partition}");
        }
        PartitionLog log = partition.Log;
        int isr = partition.Leadership.Isr.Length;
        if (requiredAcks == -1 && isr < log.Config.MinInSyncReplicas)
        {
            return PartitionAppendResult.Fail(ErrorCode.NotEnoughReplicas,
                $"{partition}: the ISR has {isr} replica(s), fewer than min.insync.replicas={log.Config.MinInSyncReplicas}");
        }
        LogAppendResult r;
        try
        {
            r = partition.AppendAsLeader(records);
        }
        catch (KafkaStorageException e)
        {
            return PartitionAppendResult.Fail(ErrorCode.KafkaStorageError, e.Message);
        }
        if (!r.Succeeded)
        {
            return new PartitionAppendResult(r.Error, -1, -1, r.LogStartOffset, r.ErrorMessage);
        }
        if (!r.Duplicate)
        {
            FetchPurgatory.CheckAndComplete(partition.TopicPartition);
        }
        return new PartitionAppendResult(ErrorCode.None, r.BaseOffset, r.LogAppendTime, r.LogStartOffset, null);
    }

    // ------------------------------------------------------------------ fetch

    /// <summary>
    /// Reads every partition of a fetch from its log (file regions, no decoding), in request order:
    /// at most <see cref="FetchParams.MaxBytes"/> in all and <see cref="FetchPartitionState.PartitionMaxBytes"/>
    /// each, but the first partition with data returns at least one whole batch (KIP-74). Consumers
    /// read up to the high watermark (read_committed: the last stable offset), followers to the log end.
    /// Results land in each state; previous results are released first.
    /// </summary>
    public void ReadFromLocalLog(in FetchParams fetch, IReadOnlyList<FetchPartitionState> states)
    {
        long limit = fetch.MaxBytes;
        bool minOneMessage = true;
        foreach (FetchPartitionState s in states)
        {
            s.ReleaseRead();
            s.ReadBytes = 0;
            if (s.RequestError != ErrorCode.None)
            {
                s.Error = s.RequestError;
                continue;
            }
            Partition p = s.Partition!;
            ErrorCode err = CurrentError(p, s);
            if (err != ErrorCode.None)
            {
                s.Error = err;
                continue;
            }
            try
            {
                PartitionLog log = p.Log;
                s.BytesAppendedAtRead = p.BytesAppended;
                long upper = fetch.IsFromFollower ? log.LogEndOffset
                    : fetch.IsolationLevel == 1 ? p.LastStableOffset
                    : log.HighWatermark;
                int max = (int)Math.Min(s.PartitionMaxBytes, Math.Max(limit, 0));
                LogReadResult read = log.Read(s.FetchOffset, max, upper, minOneMessage);
                s.Read = read;
                s.ReadBytes = read.Length;
                s.Error = read.Error;
                s.HighWatermark = read.HighWatermark;
                s.LogStartOffset = read.LogStartOffset;
                s.LastStableOffset = fetch.IsFromFollower ? read.HighWatermark : Math.Min(p.LastStableOffset, read.HighWatermark);
                if (read.Length > 0)
                {
                    minOneMessage = false;
                    limit -= read.Length;
                }
            }
            catch (KafkaStorageException e)
            {
                s.Error = ErrorCode.KafkaStorageError;
                _logger.LogWarning("{Partition}: fetch failed: {Message}", p, e.Message);
            }
        }
    }

    /// <summary>Errors a partition of a fetch has now: leadership moved, the partition went, the epoch is off.</summary>
    internal ErrorCode CurrentError(Partition p, FetchPartitionState s)
    {
        if (!ReferenceEquals(_partitions.GetValueOrDefault(p.TopicPartition), p))
        {
            return ErrorCode.NotLeaderOrFollower;
        }
        if (!p.IsLeader)
        {
            return ErrorCode.NotLeaderOrFollower;
        }
        return CheckLeaderEpoch(p, s.CurrentLeaderEpoch);
    }

    // ------------------------------------------------------------------ ListOffsets, DeleteRecords

    /// <summary>
    /// ListOffsets for a consumer (or, with <paramref name="fromFollower"/>, a replica): -2 earliest,
    /// -4 earliest local, -1 latest (high watermark; read_committed: last stable offset; replica: log
    /// end), -3 the record with the largest timestamp, -5 latest tiered (none: -1), otherwise the first
    /// offset whose timestamp is at or after the one asked, or -1 when none below the bound.
    /// </summary>
    public OffsetLookupResult FetchOffsetForTimestamp(Partition partition, long timestamp, byte isolationLevel, bool fromFollower)
    {
        PartitionLog log = partition.Log;
        long bound = fromFollower ? log.LogEndOffset : isolationLevel == 1 ? partition.LastStableOffset : log.HighWatermark;
        switch (timestamp)
        {
            case PartitionLog.LatestTimestamp:
                return new OffsetLookupResult(ErrorCode.None, bound, -1, partition.LeaderEpoch);
            case -5:
                return new OffsetLookupResult(ErrorCode.None, -1, -1, -1);
        }
        OffsetLookupResult r = log.FetchOffsetByTimestamp(timestamp);
        if (r.Error == ErrorCode.None && timestamp != PartitionLog.EarliestTimestamp && timestamp != PartitionLog.EarliestLocalTimestamp
            && r.Offset >= bound)
        {
            // Not yet visible to this reader.
            return new OffsetLookupResult(ErrorCode.None, -1, -1, -1);
        }
        return r;
    }

    /// <summary>DeleteRecords on a led partition: -1 means the high watermark. Returns the new log start offset.</summary>
    public (ErrorCode Error, long LowWatermark) DeleteRecords(Partition partition, long offset)
    {
        if (!partition.IsLeader)
        {
            return (ErrorCode.NotLeaderOrFollower, -1);
        }
        try
        {
            (ErrorCode err, long start) = partition.Log.DeleteRecordsBefore(offset);
            // Fetches waiting below the new start answer OFFSET_OUT_OF_RANGE now.
            FetchPurgatory.CheckAndComplete(partition.TopicPartition);
            return (err, err == ErrorCode.None ? start : -1);
        }
        catch (KafkaStorageException)
        {
            return (ErrorCode.KafkaStorageError, -1);
        }
    }

    public void Dispose()
    {
        foreach (TopicPartition tp in _partitions.Keys)
        {
            FetchPurgatory.CompleteAll(tp);
        }
    }
}

/// <summary>The outcome of one partition's append, in the terms of a Produce response.</summary>
public readonly record struct PartitionAppendResult(ErrorCode Error, long BaseOffset, long LogAppendTime, long LogStartOffset, string? ErrorMessage)
{
    public static PartitionAppendResult Fail(ErrorCode error, string? message) => new(error, -1, -1, -1, message);
}
