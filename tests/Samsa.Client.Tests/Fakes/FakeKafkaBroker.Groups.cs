using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Tests.Fakes;

/// <summary>
/// The fake's classic group coordinator: a rebalance starts when a member joins or leaves; every
/// known member must rejoin (or be dropped after its rebalance timeout), then the first member is
/// the leader and SyncGroup hands out what it assigned. Heartbeats report REBALANCE_IN_PROGRESS
/// meanwhile. Offsets live in a dictionary.
/// </summary>
internal sealed partial class FakeKafkaBroker
{
    private readonly Dictionary<string, FakeGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, string Topic, int Partition), (long Offset, string? Metadata)> _offsets = [];
    private int _nextMember;

    private FakeGroup Group(string id)
    {
        lock (_groups)
        {
            if (!_groups.TryGetValue(id, out var g)) _groups[id] = g = new FakeGroup();
            return g;
        }
    }

    private FindCoordinatorResponse FindCoordinator() => new() { NodeId = 0, Host = "127.0.0.1", Port = AdvertisedPort ?? Port };

    private async Task<JoinGroupResponse> JoinGroupAsync(JoinGroupRequest request, short version)
    {
        var group = Group(request.GroupId);
        Task<JoinGroupResponse> wait;
        lock (group)
        {
            var memberId = request.MemberId;
            if (string.IsNullOrEmpty(memberId))
            {
                memberId = $"{request.GroupInstanceId ?? "member"}-{Interlocked.Increment(ref _nextMember)}";
                group.IssuedIds.Add(memberId);
                if (version >= 4)
                    return new JoinGroupResponse { ErrorCode = (short)ErrorCode.MemberIdRequired, MemberId = memberId, ProtocolName = null };
            }
            else if (!group.Members.ContainsKey(memberId) && version >= 4 && !group.IssuedIds.Contains(memberId))
            {
                return new JoinGroupResponse { ErrorCode = (short)ErrorCode.UnknownMemberId, MemberId = "", ProtocolName = null };
            }
            group.IssuedIds.Add(memberId);
            if (group.Joining is null)
            {
                group.Joining = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                group.Pending.Clear();
                group.Syncs = new TaskCompletionSource<Dictionary<string, byte[]>>(TaskCreationOptions.RunContinuationsAsynchronously);
                var rebalanceTimeout = Math.Max(request.RebalanceTimeoutMs, 1000);
                var joining = group.Joining;
                // Members that do not rejoin in time are dropped, then the round completes.
                _ = Task.Delay(rebalanceTimeout).ContinueWith(_ => CompleteJoin(group, joining), TaskScheduler.Default);
            }
            group.Members[memberId] = (request.Protocols.ToDictionary(p => p.Name, p => p.Metadata), request.GroupInstanceId);
            group.Pending.Add(memberId);
            var round = group.Joining;
            wait = round.Task.ContinueWith(_ => JoinAnswer(group, memberId), TaskScheduler.Default);
            if (group.Members.Keys.All(group.Pending.Contains)) CompleteJoin(group, round);
        }
        return await wait;
    }

    private static void CompleteJoin(FakeGroup group, TaskCompletionSource round)
    {
        lock (group)
        {
            if (group.Joining != round) return;
            foreach (var m in group.Members.Keys.Where(m => !group.Pending.Contains(m)).ToList()) group.Members.Remove(m);
            group.Generation++;
            group.Leader = group.Members.Keys.Order(StringComparer.Ordinal).First();
            var common = group.Members.Values.First().Protocols.Keys
                .First(p => group.Members.Values.All(m => m.Protocols.ContainsKey(p)));
            group.Protocol = common;
            group.Joining = null;
            group.Stable = false;
            round.TrySetResult();
        }
    }

    private static JoinGroupResponse JoinAnswer(FakeGroup group, string memberId)
    {
        lock (group)
        {
            var response = new JoinGroupResponse
            {
                GenerationId = group.Generation,
                ProtocolType = "consumer",
                ProtocolName = group.Protocol,
                Leader = group.Leader!,
                MemberId = memberId,
                Members = [],
            };
            if (memberId == group.Leader)
            {
                foreach (var (id, m) in group.Members)
                    response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember { MemberId = id, GroupInstanceId = m.InstanceId, Metadata = m.Protocols[group.Protocol!] });
            }
            return response;
        }
    }

    private async Task<SyncGroupResponse> SyncGroupAsync(SyncGroupRequest request)
    {
        var group = Group(request.GroupId);
        Task<Dictionary<string, byte[]>> syncs;
        lock (group)
        {
            if (!group.Members.ContainsKey(request.MemberId)) return new SyncGroupResponse { ErrorCode = (short)ErrorCode.UnknownMemberId };
            if (group.Joining is not null) return new SyncGroupResponse { ErrorCode = (short)ErrorCode.RebalanceInProgress };
            if (request.GenerationId != group.Generation) return new SyncGroupResponse { ErrorCode = (short)ErrorCode.IllegalGeneration };
            if (request.MemberId == group.Leader)
            {
                group.Stable = true;
                group.Syncs!.TrySetResult(request.Assignments.ToDictionary(a => a.MemberId, a => a.Assignment));
            }
            syncs = group.Syncs!.Task;
        }
        var assignments = await syncs;
        return new SyncGroupResponse
        {
            ProtocolType = "consumer",
            ProtocolName = group.Protocol,
            Assignment = assignments.TryGetValue(request.MemberId, out var a) ? a : [],
        };
    }

    private HeartbeatResponse Heartbeat(HeartbeatRequest request)
    {
        var group = Group(request.GroupId);
        lock (group)
        {
            if (!group.Members.ContainsKey(request.MemberId)) return new HeartbeatResponse { ErrorCode = (short)ErrorCode.UnknownMemberId };
            if (group.Joining is not null) return new HeartbeatResponse { ErrorCode = (short)ErrorCode.RebalanceInProgress };
            if (request.GenerationId != group.Generation) return new HeartbeatResponse { ErrorCode = (short)ErrorCode.IllegalGeneration };
            return new HeartbeatResponse();
        }
    }

    private LeaveGroupResponse LeaveGroup(LeaveGroupRequest request)
    {
        var group = Group(request.GroupId);
        lock (group)
        {
            var ids = request.Members.Select(m => m.MemberId).Append(request.MemberId).Where(id => !string.IsNullOrEmpty(id));
            foreach (var id in ids) group.Members.Remove(id);
            if (group.Members.Count > 0 && group.Joining is null)
            {
                // The others must rejoin: open a round that completes once they have.
                group.Joining = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                group.Pending.Clear();
                group.Syncs = new TaskCompletionSource<Dictionary<string, byte[]>>(TaskCreationOptions.RunContinuationsAsynchronously);
                var joining = group.Joining;
                _ = Task.Delay(30000).ContinueWith(_ => CompleteJoin(group, joining), TaskScheduler.Default);
            }
        }
        return new LeaveGroupResponse { Members = [] };
    }

    private OffsetCommitResponse OffsetCommit(OffsetCommitRequest request)
    {
        var response = new OffsetCommitResponse { Topics = [] };
        lock (_offsets)
        {
            foreach (var t in request.Topics)
            {
                var topic = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = t.Name, Partitions = [] };
                response.Topics.Add(topic);
                foreach (var p in t.Partitions)
                {
                    _offsets[(request.GroupId, t.Name, p.PartitionIndex)] = (p.CommittedOffset, p.CommittedMetadata);
                    topic.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex });
                }
            }
        }
        return response;
    }

    private OffsetFetchResponse OffsetFetch(OffsetFetchRequest request)
    {
        var response = new OffsetFetchResponse { Topics = [] };
        lock (_offsets)
        {
            foreach (var t in request.Topics ?? [])
            {
                var topic = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = t.Name, Partitions = [] };
                response.Topics.Add(topic);
                foreach (var p in t.PartitionIndexes)
                {
                    var found = _offsets.TryGetValue((request.GroupId, t.Name, p), out var o);
                    topic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = p,
                        CommittedOffset = found ? o.Offset : -1,
                        Metadata = found ? o.Metadata : "",
                    });
                }
            }
        }
        return response;
    }

    public long? CommittedOffset(string group, string topic, int partition)
    {
        lock (_offsets) return _offsets.TryGetValue((group, topic, partition), out var o) ? o.Offset : null;
    }

    private sealed class FakeGroup
    {
        public Dictionary<string, (Dictionary<string, byte[]> Protocols, string? InstanceId)> Members { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Pending { get; } = new(StringComparer.Ordinal);
        public HashSet<string> IssuedIds { get; } = new(StringComparer.Ordinal);
        public TaskCompletionSource? Joining;
        public TaskCompletionSource<Dictionary<string, byte[]>>? Syncs;
        public int Generation;
        public string? Leader;
        public string? Protocol;
        public bool Stable;
    }
}
