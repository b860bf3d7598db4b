using System.Text;
using Microsoft.Extensions.Logging;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Groups;

// OffsetCommit, OffsetFetch, OffsetDelete and the expiry of old offsets.
public sealed partial class GroupCoordinator
{
    /// <summary>
    /// OffsetCommit. A generation below 0 with no member id is a "simple" commit, allowed only while
    /// the group has no members (the group is created if needed); otherwise member, instance and
    /// generation must match the current ones. Offsets are visible once written to the log.
    /// </summary>
    public async Task<IReadOnlyList<ErrorCode>> CommitOffsetsAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        long retentionTimeMs, IReadOnlyList<OffsetCommitPartition> partitions)
    {
        var results = new ErrorCode[partitions.Count];
        ErrorCode Fail(ErrorCode e)
        {
            Array.Fill(results, e);
            return e;
        }

        if (string.IsNullOrEmpty(groupId)) { Fail(ErrorCode.InvalidGroupId); return results; }
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) { Fail(status); return results; }

        bool simple = generationId < 0 && memberId.Length == 0 && groupInstanceId is null;
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            if (!simple) { Fail(ErrorCode.IllegalGeneration); return results; }
            group = GetOrCreateGroup(groupId);
        }

        var records = new List<CoordinatorRecord>(partitions.Count);
        var toApply = new List<(int Index, CommittedOffset Offset)>(partitions.Count);
        long now = Now;
        lock (group)
        {
            ErrorCode error = ErrorCode.None;
            if (group.Is(GroupState.Dead)) error = ErrorCode.CoordinatorNotAvailable;
            else if (!simple)
            {
                error = ValidateMember(group, memberId, groupInstanceId);
                if (error == ErrorCode.None && generationId != group.GenerationId) error = ErrorCode.IllegalGeneration;
                if (error == ErrorCode.None && group.Is(GroupState.CompletingRebalance)) error = ErrorCode.RebalanceInProgress;
            }
            else if (!group.Is(GroupState.Empty))
            {
                // Only members may commit for a group that has members.
                error = ErrorCode.UnknownMemberId;
            }
            if (error != ErrorCode.None) { Fail(error); return results; }

            if (!simple && group.Get(memberId) is { } member) ScheduleHeartbeatExpiry(group, member, member.SessionTimeoutMs);
            for (int i = 0; i < partitions.Count; i++)
            {
                var p = partitions[i];
                string metadata = p.Metadata ?? "";
                if (Encoding.UTF8.GetByteCount(metadata) > Options.OffsetMetadataMaxBytes)
                {
                    results[i] = ErrorCode.OffsetMetadataTooLarge;
                    continue;
                }
                long commitTimestamp = p.CommitTimestamp >= 0 ? p.CommitTimestamp : now;
                long expire = retentionTimeMs >= 0 ? commitTimestamp + retentionTimeMs : -1;
                var offset = new CommittedOffset(p.Offset, p.LeaderEpoch, metadata, commitTimestamp, expire);
                records.Add(new CoordinatorRecord(GroupRecords.OffsetKey(groupId, p.Topic, p.Partition), GroupRecords.OffsetValue(offset)));
                toApply.Add((i, offset));
                var key = (p.Topic, p.Partition);
                group.PendingOffsetCommits[key] = group.PendingOffsetCommits.GetValueOrDefault(key) + 1;
            }
        }
        if (records.Count == 0) return results;

        var appendError = await AppendAsync(group.Partition, records).ConfigureAwait(false);
        lock (group)
        {
            foreach (var (i, offset) in toApply)
            {
                var p = partitions[i];
                var key = (p.Topic, p.Partition);
                if (group.PendingOffsetCommits.TryGetValue(key, out int n))
                {
                    if (n <= 1) group.PendingOffsetCommits.Remove(key);
                    else group.PendingOffsetCommits[key] = n - 1;
                }
                results[i] = appendError;
                if (appendError == ErrorCode.None && !group.Is(GroupState.Dead)) group.Offsets[key] = offset;
            }
        }
        return results;
    }

    /// <summary>
    /// OffsetFetch for one group: the named partitions (offset -1 where nothing is committed), or
    /// every committed one when <paramref name="topics"/> is null. With require-stable, partitions
    /// with a commit still being written answer UNSTABLE_OFFSET_COMMIT.
    /// </summary>
    public (ErrorCode Error, IReadOnlyList<FetchedOffset> Offsets) FetchOffsets(string groupId,
        IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics, bool requireStable)
    {
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) return (status, []);
        var result = new List<FetchedOffset>();
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            if (topics is not null)
            {
                foreach (var (topic, parts) in topics)
                {
                    foreach (int p in parts) result.Add(new FetchedOffset(topic, p, -1, -1, "", ErrorCode.None));
                }
            }
            return (ErrorCode.None, result);
        }
        lock (group)
        {
            if (topics is null)
            {
                foreach (var ((topic, p), o) in group.Offsets)
                {
                    var error = requireStable && group.HasPendingCommit(topic, p) ? ErrorCode.UnstableOffsetCommit : ErrorCode.None;
                    result.Add(error == ErrorCode.None
                        ? new FetchedOffset(topic, p, o.Offset, o.LeaderEpoch, o.Metadata, error)
                        : new FetchedOffset(topic, p, -1, -1, "", error));
                }
                result.Sort((a, b) => string.CompareOrdinal(a.Topic, b.Topic) is var c and not 0 ? c : a.Partition.CompareTo(b.Partition));
                return (ErrorCode.None, result);
            }
            foreach (var (topic, parts) in topics)
            {
                foreach (int p in parts)
                {
                    if (requireStable && group.HasPendingCommit(topic, p))
                    {
                        result.Add(new FetchedOffset(topic, p, -1, -1, "", ErrorCode.UnstableOffsetCommit));
                    }
                    else if (group.Offsets.TryGetValue((topic, p), out var o))
                    {
                        result.Add(new FetchedOffset(topic, p, o.Offset, o.LeaderEpoch, o.Metadata, ErrorCode.None));
                    }
                    else
                    {
                        result.Add(new FetchedOffset(topic, p, -1, -1, "", ErrorCode.None));
                    }
                }
            }
        }
        return (ErrorCode.None, result);
    }

    /// <summary>
    /// OffsetDelete: removes committed offsets of an empty group, or of a consumer group's topics
    /// that no member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC for the others).
    /// </summary>
    public async Task<(ErrorCode Error, IReadOnlyList<ErrorCode> PartitionErrors)> DeleteOffsetsAsync(string groupId, IReadOnlyList<(string Topic, int Partition)> partitions)
    {
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) return (status, []);
        var group = TryGetGroup(groupId);
        if (group is null) return (ErrorCode.GroupIdNotFound, []);
        var errors = new ErrorCode[partitions.Count];
        var records = new List<CoordinatorRecord>();
        lock (group)
        {
            if (group.Is(GroupState.Dead)) return (ErrorCode.GroupIdNotFound, []);
            HashSet<string>? subscribed = null;
            if (!group.Is(GroupState.Empty))
            {
                if (group.ProtocolType != "consumer") return (ErrorCode.NonEmptyGroup, []);
                subscribed = SubscribedTopics(group);
            }
            for (int i = 0; i < partitions.Count; i++)
            {
                var (topic, p) = partitions[i];
                if (subscribed is not null && subscribed.Contains(topic))
                {
                    errors[i] = ErrorCode.GroupSubscribedToTopic;
                    continue;
                }
                if (group.Offsets.Remove((topic, p))) records.Add(new CoordinatorRecord(GroupRecords.OffsetKey(groupId, topic, p), null));
            }
        }
        if (records.Count > 0)
        {
            var error = await AppendAsync(group.Partition, records).ConfigureAwait(false);
            if (error != ErrorCode.None) return (error, []);
        }
        return (ErrorCode.None, errors);
    }

    /// <summary>Topics in the members' consumer-protocol subscriptions (for OffsetDelete).</summary>
    private static HashSet<string> SubscribedTopics(GroupMetadata group)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in group.Members)
        {
            var bytes = m.MetadataFor(group.ProtocolName);
            if (bytes.Length < 2) continue;
            try
            {
                short version = (short)((bytes[0] << 8) | bytes[1]);
                var reader = new KafkaReader(bytes.AsMemory(2));
                var subscription = ConsumerProtocolSubscription.Read(ref reader, Math.Min(version, ConsumerProtocolSubscription.HighestSupportedVersion));
                foreach (var t in subscription.Topics) topics.Add(t);
            }
            catch (KafkaProtocolException)
            {
                // Unreadable subscription: treat as subscribed to nothing.
            }
        }
        return topics;
    }

    // ------------------------------------------------------------------ expiry

    private void ExpireOffsetsInBackground()
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await ExpireOffsetsAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Expiring old offsets failed");
            }
        });
    }

    /// <summary>
    /// offsets.retention.minutes: offsets of an empty group expire that long after the group became
    /// empty (or after the commit, for groups that never had members); an explicit expire timestamp
    /// wins. An empty group left with no offsets is removed. Returns how many offsets expired.
    /// </summary>
    public async Task<int> ExpireOffsetsAsync()
    {
        long now = Now;
        int expired = 0;
        foreach (var group in _groups.Values)
        {
            if (!IsOwned(group.Partition)) continue;
            var records = new List<CoordinatorRecord>();
            lock (group)
            {
                if (!group.Is(GroupState.Empty)) continue;
                foreach (var (key, o) in group.Offsets.ToArray())
                {
                    bool expire = o.ExpireTimestamp >= 0
                        ? o.ExpireTimestamp <= now
                        : Math.Max(o.CommitTimestamp, group.ProtocolType.Length > 0 ? group.CurrentStateTimestamp : o.CommitTimestamp) + Options.OffsetsRetentionMs <= now;
                    if (!expire || group.HasPendingCommit(key.Topic, key.Partition)) continue;
                    group.Offsets.Remove(key);
                    records.Add(new CoordinatorRecord(GroupRecords.OffsetKey(group.GroupId, key.Topic, key.Partition), null));
                    expired++;
                }
                if (group.Offsets.Count == 0 && group.PendingOffsetCommits.Count == 0)
                {
                    group.TransitionTo(GroupState.Dead, now);
                    RemoveGroup(group);
                    records.Add(new CoordinatorRecord(GroupRecords.GroupKey(group.GroupId), null));
                }
            }
            if (records.Count > 0)
            {
                var error = await AppendAsync(group.Partition, records).ConfigureAwait(false);
                if (error != ErrorCode.None) _logger.LogWarning("Writing expired offsets of group {Group} failed: {Error}", group.GroupId, error);
            }
        }
        if (expired > 0) _logger.LogInformation("Removed {Count} expired offsets", expired);
        return expired;
    }
}
