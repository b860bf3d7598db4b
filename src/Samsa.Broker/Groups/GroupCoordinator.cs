using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// Kafka's classic group coordinator for the groups whose <c>__consumer_offsets</c> partitions this
/// broker leads: membership and rebalances (JoinGroup/SyncGroup/Heartbeat/LeaveGroup), committed
/// offsets, listing, describing and deleting groups. State lives in memory and every change that
/// must survive is written to <see cref="ICoordinatorLog"/> first; taking a partition over reads it
/// back (<see cref="LoadPartition"/>).
/// Thread-safety: each group has its own lock, so a rebalance of one group never waits on another;
/// JoinGroup and SyncGroup return tasks that complete when the rebalance step does, never blocking
/// the caller. Time (session and rebalance timeouts, retention) comes from the injected TimeProvider.
/// </summary>
public sealed partial class GroupCoordinator : IDisposable
{
    private enum PartitionStatus { NotOwned, Loading, Owned }

    private readonly ICoordinatorLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, GroupMetadata> _groups = new(StringComparer.Ordinal);
    private readonly PartitionStatus[] _partitions;
    private ITimer? _expiryTimer;

    public GroupCoordinator(ICoordinatorLog log, GroupCoordinatorOptions options, TimeProvider? time = null, ILogger<GroupCoordinator>? logger = null)
    {
        _log = log;
        Options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _partitions = new PartitionStatus[log.PartitionCount];
    }

    public GroupCoordinatorOptions Options { get; }

    public int PartitionCount => _partitions.Length;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Kafka's placement: abs(Java String.hashCode(groupId)) % partitions, abs(int.MinValue) being 0.</summary>
    public static int PartitionFor(string groupId, int partitionCount)
    {
        int h = 0;
        foreach (char c in groupId) h = unchecked((31 * h) + c);
        int abs = h == int.MinValue ? 0 : Math.Abs(h);
        return abs % partitionCount;
    }

    public int PartitionFor(string groupId) => PartitionFor(groupId, _partitions.Length);

    /// <summary>Starts the periodic expiry of old offsets (offsets.retention.check.interval.ms).</summary>
    public void StartExpiry()
    {
        var period = TimeSpan.FromMilliseconds(Options.OffsetsRetentionCheckIntervalMs);
        _expiryTimer = _time.CreateTimer(static s => ((GroupCoordinator)s!).ExpireOffsetsInBackground(), this, period, period);
    }

    public void Dispose()
    {
        _expiryTimer?.Dispose();
        foreach (var group in _groups.Values)
        {
            lock (group)
            {
                group.JoinTimer?.Dispose();
                group.SyncTimer?.Dispose();
                foreach (var m in group.Members)
                {
                    m.HeartbeatTimer?.Dispose();
                    m.CompleteJoin(JoinGroupResult.Failed(ErrorCode.NotCoordinator, m.MemberId));
                    m.CompleteSync(new SyncGroupResult(ErrorCode.NotCoordinator));
                }
            }
        }
    }

    // ------------------------------------------------------------------ ownership

    /// <summary>The error to answer for a group whose partition is not (yet) served here, else None.</summary>
    private ErrorCode CheckCoordinator(string groupId)
    {
        return _partitions[PartitionFor(groupId)] switch
        {
            PartitionStatus.Owned => ErrorCode.None,
            PartitionStatus.Loading => ErrorCode.CoordinatorLoadInProgress,
            _ => ErrorCode.NotCoordinator,
        };
    }

    public bool IsOwned(int partition) => _partitions[partition] == PartitionStatus.Owned;

    private GroupMetadata? TryGetGroup(string groupId) =>
        _groups.TryGetValue(groupId, out var g) ? g : null;

    private GroupMetadata GetOrCreateGroup(string groupId)
    {
        while (true)
        {
            var group = _groups.GetOrAdd(groupId, id => new GroupMetadata(id, PartitionFor(id), Now));
            lock (group)
            {
                if (!group.Is(GroupState.Dead)) return group;
            }
            // Deleted meanwhile: replace it with a fresh one.
            _groups.TryRemove(new KeyValuePair<string, GroupMetadata>(groupId, group));
        }
    }

    private void RemoveGroup(GroupMetadata group) =>
        _groups.TryRemove(new KeyValuePair<string, GroupMetadata>(group.GroupId, group));

    // ------------------------------------------------------------------ persistence

    /// <summary>Appends the records; the callback then runs under the group's lock on a pool thread.</summary>
    private void Append(GroupMetadata group, List<CoordinatorRecord> records, Action<ErrorCode> callback)
    {
        Task<ErrorCode> task;
        try
        {
            task = _log.AppendAsync(group.Partition, records).AsTask();
        }
        catch (Exception e)
        {
            task = Task.FromException<ErrorCode>(e);
        }
        task.ContinueWith(t =>
        {
            ErrorCode error = t.IsCompletedSuccessfully ? t.Result : ErrorCode.CoordinatorNotAvailable;
            if (t.Exception is { } ex) _logger.LogWarning(ex.GetBaseException(), "Writing to __consumer_offsets-{Partition} failed", group.Partition);
            lock (group)
            {
                callback(MapAppendError(error));
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    private async Task<ErrorCode> AppendAsync(int partition, List<CoordinatorRecord> records)
    {
        try
        {
            return MapAppendError(await _log.AppendAsync(partition, records).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Writing to __consumer_offsets-{Partition} failed", partition);
            return ErrorCode.CoordinatorNotAvailable;
        }
    }

    /// <summary>Kafka turns log errors into errors a group client retries on.</summary>
    private static ErrorCode MapAppendError(ErrorCode error) => error switch
    {
        ErrorCode.None => ErrorCode.None,
        ErrorCode.UnknownTopicOrPartition or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend
            or ErrorCode.RequestTimedOut => ErrorCode.CoordinatorNotAvailable,
        ErrorCode.NotLeaderOrFollower or ErrorCode.KafkaStorageError => ErrorCode.NotCoordinator,
        ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidFetchSize => ErrorCode.UnknownServerError,
        _ => error,
    };

    private CoordinatorRecord GroupRecord(GroupMetadata group) =>
        new(GroupRecords.GroupKey(group.GroupId), GroupRecords.GroupValue(group.ToRecord()));
}
