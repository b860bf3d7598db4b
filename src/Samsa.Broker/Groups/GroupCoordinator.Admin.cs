using Microsoft.Extensions.Logging;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

// ListGroups, DescribeGroups, DeleteGroups, and taking partitions over (loading) or giving them up.
public sealed partial class GroupCoordinator
{
    /// <summary>Groups of the partitions served here; <paramref name="states"/> filters by Kafka state name (case-insensitive).</summary>
    public (ErrorCode Error, IReadOnlyList<GroupListing> Groups) ListGroups(IReadOnlyCollection<string>? states)
    {
        foreach (var s in _partitions)
        {
            if (s == PartitionStatus.Loading) return (ErrorCode.CoordinatorLoadInProgress, []);
        }
        var result = new List<GroupListing>();
        foreach (var group in _groups.Values)
        {
            if (!IsOwned(group.Partition)) continue;
            GroupListing listing;
            lock (group)
            {
                if (group.Is(GroupState.Dead)) continue;
                listing = new GroupListing(group.GroupId, group.ProtocolType, group.State);
            }
            if (states is { Count: > 0 } && !ContainsIgnoreCase(states, listing.State.ToString())) continue;
            result.Add(listing);
        }
        result.Sort((a, b) => string.CompareOrdinal(a.GroupId, b.GroupId));
        return (ErrorCode.None, result);
    }

    private static bool ContainsIgnoreCase(IReadOnlyCollection<string> values, string value)
    {
        foreach (var v in values)
        {
            if (string.Equals(v, value, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>DescribeGroups for one group: an unknown group is described as Dead with no members (Kafka's answer).</summary>
    public GroupDescription DescribeGroup(string groupId)
    {
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) return new GroupDescription(status, groupId, GroupState.Dead, "", "", []);
        var group = TryGetGroup(groupId);
        if (group is null) return new GroupDescription(ErrorCode.None, groupId, GroupState.Dead, "", "", []);
        lock (group)
        {
            // Metadata and assignments are only meaningful once a generation is settled.
            bool stable = group.Is(GroupState.Stable);
            var members = new List<MemberDescription>(group.MemberCount);
            foreach (var m in group.Members)
            {
                members.Add(new MemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost,
                    stable ? m.MetadataFor(group.ProtocolName) : [], stable ? m.Assignment : []));
            }
            return new GroupDescription(ErrorCode.None, group.GroupId, group.State, group.ProtocolType,
                stable ? group.ProtocolName ?? "" : "", members);
        }
    }

    /// <summary>DeleteGroups for one group: only an empty group goes (NON_EMPTY_GROUP otherwise); its
    /// offsets and metadata get tombstones.</summary>
    public async Task<ErrorCode> DeleteGroupAsync(string groupId)
    {
        if (string.IsNullOrEmpty(groupId)) return ErrorCode.InvalidGroupId;
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) return status;
        var group = TryGetGroup(groupId);
        if (group is null) return ErrorCode.GroupIdNotFound;
        var records = new List<CoordinatorRecord>();
        lock (group)
        {
            if (group.Is(GroupState.Dead)) return ErrorCode.GroupIdNotFound;
            if (!group.Is(GroupState.Empty)) return ErrorCode.NonEmptyGroup;
            foreach (var (topic, partition) in group.Offsets.Keys)
            {
                records.Add(new CoordinatorRecord(GroupRecords.OffsetKey(groupId, topic, partition), null));
            }
            records.Add(new CoordinatorRecord(GroupRecords.GroupKey(groupId), null));
            group.Offsets.Clear();
            group.TransitionTo(GroupState.Dead, Now);
            RemoveGroup(group);
        }
        return await AppendAsync(group.Partition, records).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ loading

    /// <summary>
    /// This broker became the leader of an offsets partition: rebuild its groups and offsets from
    /// the log (later records win, tombstones delete). Requests for its groups answer
    /// COORDINATOR_LOAD_IN_PROGRESS meanwhile. Groups with members come back Stable, their members
    /// on a fresh session timeout.
    /// </summary>
    public void LoadPartition(int partition)
    {
        _partitions[partition] = PartitionStatus.Loading;
        var offsets = new Dictionary<(string Group, string Topic, int Partition), CommittedOffset?>();
        var groups = new Dictionary<string, Protocol.InternalRecords.GroupMetadataValue?>(StringComparer.Ordinal);
        int records = 0, skipped = 0;
        foreach (var record in _log.ReadAll(partition))
        {
            records++;
            try
            {
                var key = GroupRecords.ReadKey(record.Key);
                if (key.IsOffset)
                {
                    offsets[(key.Group, key.Topic, key.Partition)] = record.Value is null ? null : GroupRecords.ReadOffsetValue(record.Value);
                }
                else
                {
                    groups[key.Group] = record.Value is null ? null : GroupRecords.ReadGroupValue(record.Value);
                }
            }
            catch (KafkaProtocolException e)
            {
                skipped++;
                _logger.LogWarning("Skipping an unreadable record in __consumer_offsets-{Partition}: {Message}", partition, e.Message);
            }
        }

        long now = Now;
        foreach (var (groupId, value) in groups)
        {
            if (value is null) continue;
            var group = new GroupMetadata(groupId, partition, value.CurrentStateTimestamp >= 0 ? value.CurrentStateTimestamp : now)
            {
                GenerationId = value.Generation,
                ProtocolType = value.ProtocolType,
                ProtocolName = value.Protocol,
            };
            foreach (var m in value.Members)
            {
                var member = new MemberMetadata(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.RebalanceTimeout,
                    m.SessionTimeout, value.ProtocolType, [new GroupProtocol(value.Protocol ?? "", m.Subscription)])
                {
                    Assignment = m.Assignment,
                };
                group.Add(member);
            }
            group.LeaderId = value.Leader ?? group.LeaderId;
            lock (group)
            {
                if (group.MemberCount > 0)
                {
                    group.TransitionTo(GroupState.Stable, group.CurrentStateTimestamp);
                    foreach (var m in group.Members) ScheduleHeartbeatExpiry(group, m, m.SessionTimeoutMs);
                }
                else
                {
                    group.TransitionTo(GroupState.Empty, group.CurrentStateTimestamp);
                }
            }
            _groups[groupId] = group;
        }
        foreach (var ((groupId, topic, p), offset) in offsets)
        {
            if (offset is null) continue;
            var group = _groups.GetOrAdd(groupId, id => new GroupMetadata(id, partition, now));
            lock (group)
            {
                group.Offsets[(topic, p)] = offset;
            }
        }
        _partitions[partition] = PartitionStatus.Owned;
        _logger.LogInformation("Loaded __consumer_offsets-{Partition}: {Records} records, {Groups} groups ({Skipped} unreadable)",
            partition, records, groups.Count, skipped);
    }

    /// <summary>The partition is about to be loaded: its groups answer COORDINATOR_LOAD_IN_PROGRESS until then.</summary>
    public void MarkLoading(int partition) => _partitions[partition] = PartitionStatus.Loading;

    /// <summary>This broker no longer leads the partition: drop its groups (their members are told NOT_COORDINATOR).</summary>
    public void UnloadPartition(int partition)
    {
        _partitions[partition] = PartitionStatus.NotOwned;
        foreach (var group in _groups.Values)
        {
            if (group.Partition != partition) continue;
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
                group.TransitionTo(GroupState.Dead, Now);
            }
            RemoveGroup(group);
        }
    }
}
