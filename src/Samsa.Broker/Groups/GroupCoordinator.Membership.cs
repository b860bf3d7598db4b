using Microsoft.Extensions.Logging;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

// JoinGroup, SyncGroup, Heartbeat and LeaveGroup of the classic protocol, and the rebalance steps.
public sealed partial class GroupCoordinator
{
    /// <summary>JoinGroup: completes when the group's join phase does (or at once for errors and
    /// rejoins that change nothing).</summary>
    public Task<JoinGroupResult> JoinGroupAsync(JoinGroupRequestData request)
    {
        if (string.IsNullOrEmpty(request.GroupId)) return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InvalidGroupId, request.MemberId));
        var status = CheckCoordinator(request.GroupId);
        if (status != ErrorCode.None) return Task.FromResult(JoinGroupResult.Failed(status, request.MemberId));
        if (request.SessionTimeoutMs < Options.GroupMinSessionTimeoutMs || request.SessionTimeoutMs > Options.GroupMaxSessionTimeoutMs)
        {
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InvalidSessionTimeout, request.MemberId));
        }

        bool unknownMember = request.MemberId.Length == 0;
        var group = unknownMember ? GetOrCreateGroup(request.GroupId) : TryGetGroup(request.GroupId);
        if (group is null) return Task.FromResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, request.MemberId));

        lock (group)
        {
            if (group.Is(GroupState.Dead)) return Task.FromResult(JoinGroupResult.Failed(ErrorCode.CoordinatorNotAvailable, request.MemberId));
            if (!group.SupportsProtocols(request.ProtocolType, request.Protocols))
            {
                return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, request.MemberId));
            }
            return unknownMember ? JoinNewMember(group, request) : JoinKnownMember(group, request);
        }
    }

    private Task<JoinGroupResult> JoinNewMember(GroupMetadata group, JoinGroupRequestData request)
    {
        if (request.GroupInstanceId is { } instanceId)
        {
            string newId = instanceId + "-" + Guid.NewGuid().ToString();
            if (group.StaticMemberId(instanceId) is { } oldId && group.Get(oldId) is { } existing)
            {
                return RejoinStaticMember(group, existing, newId, request);
            }
            if (group.MemberCount >= Options.GroupMaxSize) return Task.FromResult(JoinGroupResult.Failed(ErrorCode.GroupMaxSizeReached));
            return AddMemberAndRebalance(group, newId, request);
        }

        string memberId = request.ClientId + "-" + Guid.NewGuid().ToString();
        if (request.RequireKnownMemberId)
        {
            // KIP-394: hand out the id first; the member joins for real with it.
            group.PendingMembers.Add(memberId);
            SchedulePendingMemberExpiry(group, memberId, request.SessionTimeoutMs);
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.MemberIdRequired, memberId));
        }
        if (group.MemberCount >= Options.GroupMaxSize) return Task.FromResult(JoinGroupResult.Failed(ErrorCode.GroupMaxSizeReached));
        return AddMemberAndRebalance(group, memberId, request);
    }

    private Task<JoinGroupResult> JoinKnownMember(GroupMetadata group, JoinGroupRequestData request)
    {
        string memberId = request.MemberId;
        if (group.PendingMembers.Remove(memberId))
        {
            if (group.MemberCount >= Options.GroupMaxSize)
            {
                TryCompleteJoin(group);
                return Task.FromResult(JoinGroupResult.Failed(ErrorCode.GroupMaxSizeReached, memberId));
            }
            return AddMemberAndRebalance(group, memberId, request);
        }

        var error = ValidateMember(group, memberId, request.GroupInstanceId);
        if (error != ErrorCode.None) return Task.FromResult(JoinGroupResult.Failed(error, memberId));
        var member = group.Get(memberId)!;

        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return UpdateMemberAndRebalance(group, member, request);
            case GroupState.CompletingRebalance:
                // The member missed the join answer: give it again unless its protocols changed.
                if (member.MatchesProtocols(request.Protocols)) return Task.FromResult(CurrentJoinResult(group, member, includeMembers: group.IsLeader(memberId)));
                return UpdateMemberAndRebalance(group, member, request);
            case GroupState.Stable:
                // No extra rebalance for a follower rejoining unchanged; the leader's rejoin means it
                // wants to assign again (its metadata view changed).
                if (group.IsLeader(memberId) || !member.MatchesProtocols(request.Protocols)) return UpdateMemberAndRebalance(group, member, request);
                return Task.FromResult(CurrentJoinResult(group, member, includeMembers: false));
            default:
                return Task.FromResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, memberId));
        }
    }

    private static JoinGroupResult CurrentJoinResult(GroupMetadata group, MemberMetadata member, bool includeMembers) =>
        new(ErrorCode.None, member.MemberId, group.GenerationId, group.ProtocolType, group.ProtocolName, group.LeaderId ?? "",
            Members: includeMembers ? MemberList(group) : []);

    private static List<JoinGroupMember> MemberList(GroupMetadata group)
    {
        var list = new List<JoinGroupMember>(group.MemberCount);
        foreach (var m in group.Members) list.Add(new JoinGroupMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName)));
        return list;
    }

    /// <summary>UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks shared by every member request.</summary>
    private static ErrorCode ValidateMember(GroupMetadata group, string memberId, string? groupInstanceId)
    {
        if (group.IsStaticMemberFenced(memberId, groupInstanceId)) return ErrorCode.FencedInstanceId;
        if (!group.Has(memberId)) return ErrorCode.UnknownMemberId;
        return ErrorCode.None;
    }

    private Task<JoinGroupResult> AddMemberAndRebalance(GroupMetadata group, string memberId, JoinGroupRequestData request)
    {
        var member = new MemberMetadata(memberId, request.GroupInstanceId, request.ClientId, request.ClientHost,
            request.RebalanceTimeoutMs, request.SessionTimeoutMs, request.ProtocolType, request.Protocols)
        {
            IsNew = true,
            AwaitingJoin = NewJoinCompletion(),
        };
        if (group.Is(GroupState.PreparingRebalance) && group.InInitialDelay) group.NewMemberAdded = true;
        group.Add(member);
        ScheduleHeartbeatExpiry(group, member, Options.NewMemberJoinTimeoutMs);
        var task = member.AwaitingJoin.Task;
        MaybePrepareRebalance(group, $"member {memberId} joined");
        TryCompleteJoin(group);
        return task;
    }

    private Task<JoinGroupResult> UpdateMemberAndRebalance(GroupMetadata group, MemberMetadata member, JoinGroupRequestData request)
    {
        UpdateMember(member, request);
        // A repeated join replaces the earlier one; the earlier request is told to rejoin.
        member.CompleteJoin(JoinGroupResult.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
        member.AwaitingJoin = NewJoinCompletion();
        var task = member.AwaitingJoin.Task;
        MaybePrepareRebalance(group, $"member {member.MemberId} rejoined");
        TryCompleteJoin(group);
        return task;
    }

    private static void UpdateMember(MemberMetadata member, JoinGroupRequestData request)
    {
        member.Protocols = request.Protocols;
        member.RebalanceTimeoutMs = request.RebalanceTimeoutMs;
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.ClientId = request.ClientId;
        member.ClientHost = request.ClientHost;
    }

    /// <summary>KIP-345: a static member came back under a new member id; the old instance is fenced.
    /// A Stable group whose protocol stays the same keeps its assignment: no rebalance.</summary>
    private Task<JoinGroupResult> RejoinStaticMember(GroupMetadata group, MemberMetadata member, string newMemberId, JoinGroupRequestData request)
    {
        string? currentLeader = group.LeaderId;
        string oldMemberId = member.MemberId;
        member.CompleteJoin(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, oldMemberId));
        member.CompleteSync(new SyncGroupResult(ErrorCode.FencedInstanceId));
        group.ReplaceStaticMember(member, newMemberId);
        UpdateMember(member, request);
        member.AwaitingJoin = NewJoinCompletion();
        var task = member.AwaitingJoin.Task;
        ScheduleHeartbeatExpiry(group, member, member.SessionTimeoutMs);

        switch (group.State)
        {
            case GroupState.Stable when group.SelectProtocol() == group.ProtocolName:
                int generation = group.GenerationId;
                Append(group, [GroupRecord(group)], error =>
                {
                    if (error != ErrorCode.None)
                    {
                        member.CompleteJoin(JoinGroupResult.Failed(error, newMemberId));
                        return;
                    }
                    // The old leader id is returned on purpose: the restarted member acts as a
                    // follower and picks up its assignment with SyncGroup.
                    member.CompleteJoin(new JoinGroupResult(ErrorCode.None, member.MemberId, generation, group.ProtocolType,
                        group.ProtocolName, currentLeader ?? "", Members: []));
                });
                break;
            case GroupState.Stable or GroupState.CompletingRebalance:
                PrepareRebalance(group, $"static member {request.GroupInstanceId} rejoined");
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group);
                break;
        }
        return task;
    }

    private static TaskCompletionSource<JoinGroupResult> NewJoinCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // ------------------------------------------------------------------ rebalance steps

    private void MaybePrepareRebalance(GroupMetadata group, string reason)
    {
        if (group.State is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty) PrepareRebalance(group, reason);
    }

    private void PrepareRebalance(GroupMetadata group, string reason)
    {
        if (group.Is(GroupState.CompletingRebalance)) ResetAndPropagateAssignmentError(group, ErrorCode.RebalanceInProgress);
        group.SyncTimer?.Dispose();
        group.SyncTimer = null;
        group.JoinTimer?.Dispose();

        int delay;
        if (group.Is(GroupState.Empty) && Options.GroupInitialRebalanceDelayMs > 0)
        {
            // The first rebalance of an empty group waits for more members to arrive, extended
            // while new ones keep coming, up to the rebalance timeout.
            group.InInitialDelay = true;
            group.NewMemberAdded = false;
            delay = Options.GroupInitialRebalanceDelayMs;
            group.InitialDelayRemainingMs = Math.Max(group.MaxRebalanceTimeoutMs - delay, 0);
        }
        else
        {
            group.InInitialDelay = false;
            delay = group.MaxRebalanceTimeoutMs;
        }
        group.TransitionTo(GroupState.PreparingRebalance, Now);
        _logger.LogInformation("Preparing to rebalance group {Group} in state {State} with old generation {Generation}: {Reason}",
            group.GroupId, group.State, group.GenerationId, reason);
        // Armed only once stored, so a timer that fires at once finds itself.
        group.JoinTimer = _time.CreateTimer(static s => { var (c, g) = ((GroupCoordinator, GroupMetadata))s!; c.OnJoinTimer(g); },
            (this, group), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        group.JoinTimer.Change(TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
    }

    private void OnJoinTimer(GroupMetadata group)
    {
        lock (group)
        {
            if (!group.Is(GroupState.PreparingRebalance)) return;
            if (group.InInitialDelay && group.NewMemberAdded && group.InitialDelayRemainingMs > 0)
            {
                long delay = Math.Min(Options.GroupInitialRebalanceDelayMs, group.InitialDelayRemainingMs);
                group.InitialDelayRemainingMs -= delay;
                group.NewMemberAdded = false;
                group.JoinTimer?.Change(TimeSpan.FromMilliseconds(delay), Timeout.InfiniteTimeSpan);
                return;
            }
            CompleteJoin(group);
        }
    }

    /// <summary>Completes the join phase once every known member has rejoined (never during the initial delay).</summary>
    private void TryCompleteJoin(GroupMetadata group)
    {
        if (group.Is(GroupState.PreparingRebalance) && !group.InInitialDelay && group.AllMembersJoined) CompleteJoin(group);
    }

    private void CompleteJoin(GroupMetadata group)
    {
        group.JoinTimer?.Dispose();
        group.JoinTimer = null;
        group.InInitialDelay = false;

        // Members that did not rejoin in time are out.
        foreach (var m in group.Members.ToArray())
        {
            if (!m.IsAwaitingJoin) RemoveMember(group, m);
        }
        if (group.Is(GroupState.Dead)) return;

        long now = Now;
        group.GenerationId++;
        if (group.MemberCount == 0)
        {
            group.ProtocolName = null;
            group.TransitionTo(GroupState.Empty, now);
            _logger.LogInformation("Group {Group} with generation {Generation} is now empty", group.GroupId, group.GenerationId);
            Append(group, [GroupRecord(group)], error =>
            {
                if (error != ErrorCode.None) _logger.LogWarning("Failed to write the empty group {Group}: {Error}", group.GroupId, error);
            });
            return;
        }

        group.ProtocolName = group.SelectProtocol();
        group.TransitionTo(GroupState.CompletingRebalance, now);
        group.PendingSyncMembers.Clear();
        _logger.LogInformation("Group {Group} rebalanced to generation {Generation} ({Protocol}) with {Members} members",
            group.GroupId, group.GenerationId, group.ProtocolName, group.MemberCount);
        var leaderMembers = MemberList(group);
        foreach (var m in group.Members)
        {
            group.PendingSyncMembers.Add(m.MemberId);
            bool isLeader = group.IsLeader(m.MemberId);
            m.CompleteJoin(new JoinGroupResult(ErrorCode.None, m.MemberId, group.GenerationId, group.ProtocolType, group.ProtocolName,
                group.LeaderId ?? "", Members: isLeader ? leaderMembers : []));
            m.IsNew = false;
            ScheduleHeartbeatExpiry(group, m, m.SessionTimeoutMs);
        }

        // Members that never send SyncGroup within the rebalance timeout are removed (the rest rebalance again).
        int generation = group.GenerationId;
        group.SyncTimer = _time.CreateTimer(static s => { var (c, g, gen) = ((GroupCoordinator, GroupMetadata, int))s!; c.OnSyncTimer(g, gen); },
            (this, group, generation), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        group.SyncTimer.Change(TimeSpan.FromMilliseconds(group.MaxRebalanceTimeoutMs), Timeout.InfiniteTimeSpan);
    }

    private void OnSyncTimer(GroupMetadata group, int generation)
    {
        lock (group)
        {
            if (group.GenerationId != generation || !group.Is(GroupState.CompletingRebalance) || group.PendingSyncMembers.Count == 0) return;
            foreach (var id in group.PendingSyncMembers.ToArray())
            {
                if (group.Get(id) is { } m) RemoveMember(group, m);
            }
            if (group.MemberCount == 0)
            {
                group.GenerationId++;
                group.ProtocolName = null;
                group.TransitionTo(GroupState.Empty, Now);
                Append(group, [GroupRecord(group)], _ => { });
            }
            else
            {
                PrepareRebalance(group, "members did not sync in time");
            }
        }
    }

    private static void ResetAndPropagateAssignmentError(GroupMetadata group, ErrorCode error)
    {
        foreach (var m in group.Members)
        {
            m.Assignment = [];
            m.CompleteSync(new SyncGroupResult(error));
        }
    }

    private void RemoveMember(GroupMetadata group, MemberMetadata member)
    {
        member.HeartbeatTimer?.Dispose();
        member.HeartbeatTimer = null;
        member.CompleteJoin(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, member.MemberId));
        member.CompleteSync(new SyncGroupResult(ErrorCode.UnknownMemberId));
        group.Remove(member);
    }

    /// <summary>A member left or expired: take it out and rebalance the rest.</summary>
    private void RemoveMemberAndUpdateGroup(GroupMetadata group, MemberMetadata member, string reason)
    {
        RemoveMember(group, member);
        switch (group.State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                PrepareRebalance(group, reason);
                TryCompleteJoin(group);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group);
                break;
        }
    }

    // ------------------------------------------------------------------ liveness

    private void ScheduleHeartbeatExpiry(GroupMetadata group, MemberMetadata member, int timeoutMs)
    {
        member.HeartbeatDeadline = Now + timeoutMs;
        member.HeartbeatTimer?.Dispose();
        member.HeartbeatTimer = _time.CreateTimer(static s => { var (c, g, m) = ((GroupCoordinator, GroupMetadata, MemberMetadata))s!; c.OnHeartbeatExpired(g, m); },
            (this, group, member), Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        member.HeartbeatTimer.Change(TimeSpan.FromMilliseconds(timeoutMs), Timeout.InfiniteTimeSpan);
    }

    private void OnHeartbeatExpired(GroupMetadata group, MemberMetadata member)
    {
        lock (group)
        {
            if (!ReferenceEquals(group.Get(member.MemberId), member)) return;
            long left = member.HeartbeatDeadline - Now;
            if (left > 0)
            {
                // Timers run on a monotonic clock and may fire a little before the wall-clock
                // deadline: wait the rest rather than forget the member.
                member.HeartbeatTimer?.Change(TimeSpan.FromMilliseconds(left), Timeout.InfiniteTimeSpan);
                return;
            }
            // Waiting for the join or sync answer keeps a member (a new one only up to its join timeout).
            if (member.IsAwaitingSync || (member.IsAwaitingJoin && !member.IsNew)) return;
            _logger.LogInformation("Member {Member} in group {Group} has failed (no heartbeat within {Timeout} ms), removing it",
                member.MemberId, group.GroupId, member.SessionTimeoutMs);
            RemoveMemberAndUpdateGroup(group, member, $"member {member.MemberId} failed its heartbeat");
        }
    }

    private void SchedulePendingMemberExpiry(GroupMetadata group, string memberId, int sessionTimeoutMs)
    {
        ITimer? timer = null;
        timer = _time.CreateTimer(_ =>
        {
            lock (group)
            {
                if (group.PendingMembers.Remove(memberId)) TryCompleteJoin(group);
            }
            timer?.Dispose();
        }, null, TimeSpan.FromMilliseconds(sessionTimeoutMs), Timeout.InfiniteTimeSpan);
    }

    // ------------------------------------------------------------------ SyncGroup

    /// <summary>SyncGroup: the leader hands in the assignment; everyone waits for it to be written.</summary>
    public Task<SyncGroupResult> SyncGroupAsync(string groupId, int generationId, string memberId, string? groupInstanceId,
        string? protocolType, string? protocolName, IReadOnlyDictionary<string, byte[]> assignments)
    {
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) return Task.FromResult(new SyncGroupResult(status));
        var group = TryGetGroup(groupId);
        if (group is null) return Task.FromResult(new SyncGroupResult(ErrorCode.UnknownMemberId));
        lock (group)
        {
            if (group.Is(GroupState.Dead)) return Task.FromResult(new SyncGroupResult(ErrorCode.CoordinatorNotAvailable));
            var error = ValidateMember(group, memberId, groupInstanceId);
            if (error == ErrorCode.None && generationId != group.GenerationId) error = ErrorCode.IllegalGeneration;
            if (error == ErrorCode.None && ((protocolType is not null && protocolType != group.ProtocolType)
                || (protocolName is not null && protocolName != group.ProtocolName)))
            {
                error = ErrorCode.InconsistentGroupProtocol;
            }
            if (error != ErrorCode.None) return Task.FromResult(new SyncGroupResult(error));

            var member = group.Get(memberId)!;
            switch (group.State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(new SyncGroupResult(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    ScheduleHeartbeatExpiry(group, member, member.SessionTimeoutMs);
                    return Task.FromResult(new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment));
                case GroupState.CompletingRebalance:
                    break;
                default:
                    return Task.FromResult(new SyncGroupResult(ErrorCode.UnknownMemberId));
            }

            member.CompleteSync(new SyncGroupResult(ErrorCode.RebalanceInProgress));
            member.AwaitingSync = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = member.AwaitingSync.Task;
            group.PendingSyncMembers.Remove(memberId);
            if (group.IsLeader(memberId))
            {
                foreach (var m in group.Members) m.Assignment = assignments.TryGetValue(m.MemberId, out var a) ? a : [];
                int generation = group.GenerationId;
                Append(group, [GroupRecord(group)], appendError =>
                {
                    if (group.GenerationId != generation || !group.Is(GroupState.CompletingRebalance)) return;
                    if (appendError != ErrorCode.None)
                    {
                        ResetAndPropagateAssignmentError(group, appendError);
                        PrepareRebalance(group, $"writing the assignment failed ({appendError})");
                        return;
                    }
                    group.SyncTimer?.Dispose();
                    group.SyncTimer = null;
                    foreach (var m in group.Members)
                    {
                        if (!m.IsAwaitingSync) continue;
                        m.CompleteSync(new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, m.Assignment));
                        // Waiting for the assignment kept the member alive; its session starts again now.
                        ScheduleHeartbeatExpiry(group, m, m.SessionTimeoutMs);
                    }
                    group.TransitionTo(GroupState.Stable, Now);
                    _logger.LogInformation("Group {Group} is stable at generation {Generation}", group.GroupId, group.GenerationId);
                });
            }
            return task;
        }
    }

    // ------------------------------------------------------------------ Heartbeat

    public ErrorCode Heartbeat(string groupId, int generationId, string memberId, string? groupInstanceId)
    {
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) return status;
        var group = TryGetGroup(groupId);
        if (group is null) return ErrorCode.UnknownMemberId;
        lock (group)
        {
            if (group.Is(GroupState.Dead)) return ErrorCode.CoordinatorNotAvailable;
            var error = ValidateMember(group, memberId, groupInstanceId);
            if (error != ErrorCode.None) return error;
            if (generationId != group.GenerationId) return ErrorCode.IllegalGeneration;
            var member = group.Get(memberId)!;
            switch (group.State)
            {
                case GroupState.Empty:
                    return ErrorCode.UnknownMemberId;
                case GroupState.PreparingRebalance:
                    ScheduleHeartbeatExpiry(group, member, member.SessionTimeoutMs);
                    return ErrorCode.RebalanceInProgress;
                default:
                    ScheduleHeartbeatExpiry(group, member, member.SessionTimeoutMs);
                    return ErrorCode.None;
            }
        }
    }

    // ------------------------------------------------------------------ LeaveGroup

    /// <summary>LeaveGroup: one error per leaving member (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID or none).</summary>
    public (ErrorCode Error, IReadOnlyList<ErrorCode> MemberErrors) LeaveGroup(string groupId, IReadOnlyList<LeavingMember> members)
    {
        var status = CheckCoordinator(groupId);
        if (status != ErrorCode.None) return (status, []);
        var errors = new ErrorCode[members.Count];
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            Array.Fill(errors, ErrorCode.UnknownMemberId);
            return (ErrorCode.None, errors);
        }
        lock (group)
        {
            if (group.Is(GroupState.Dead)) return (ErrorCode.CoordinatorNotAvailable, []);
            for (int i = 0; i < members.Count; i++)
            {
                var leaving = members[i];
                string memberId = leaving.MemberId;
                if (memberId.Length == 0 && leaving.GroupInstanceId is { } instance)
                {
                    // A static member may leave by instance id alone (KIP-345 admin removal).
                    memberId = group.StaticMemberId(instance) ?? "";
                }
                if (group.PendingMembers.Remove(memberId))
                {
                    TryCompleteJoin(group);
                    continue;
                }
                var error = ValidateMember(group, memberId, leaving.GroupInstanceId);
                errors[i] = error;
                if (error != ErrorCode.None) continue;
                RemoveMemberAndUpdateGroup(group, group.Get(memberId)!, $"member {memberId} left the group" + (leaving.Reason is null ? "" : ": " + leaving.Reason));
            }
        }
        return (ErrorCode.None, errors);
    }
}
