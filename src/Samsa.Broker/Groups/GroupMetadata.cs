using Samsa.Protocol.InternalRecords;

namespace Samsa.Broker.Groups;

/// <summary>
/// One classic group: state, generation, chosen protocol, leader, members (in join order),
/// static members by instance id, KIP-394 pending members, and the group's committed offsets.
/// Not thread-safe: every access holds <c>lock (group)</c>; the coordinator does that.
/// </summary>
public sealed class GroupMetadata
{
    private readonly List<MemberMetadata> _members = [];
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);

    public GroupMetadata(string groupId, int partition, long now)
    {
        GroupId = groupId;
        Partition = partition;
        CurrentStateTimestamp = now;
    }

    public string GroupId { get; }

    /// <summary>The <c>__consumer_offsets</c> partition holding this group.</summary>
    public int Partition { get; }

    public GroupState State { get; private set; } = GroupState.Empty;

    /// <summary>When the group entered its current state (ms since the epoch); offsets of an empty
    /// group expire counting from here.</summary>
    public long CurrentStateTimestamp { get; private set; }

    public int GenerationId { get; internal set; }

    /// <summary>Set by the first member; empty for groups that only commit offsets.</summary>
    public string ProtocolType { get; internal set; } = "";

    /// <summary>The protocol (assignor) of the current generation; null when none.</summary>
    public string? ProtocolName { get; internal set; }

    public string? LeaderId { get; internal set; }

    public IReadOnlyList<MemberMetadata> Members => _members;
    public int MemberCount => _members.Count;

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet (KIP-394).</summary>
    internal HashSet<string> PendingMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Members of the current generation that have not sent SyncGroup yet.</summary>
    internal HashSet<string> PendingSyncMembers { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Topic, int Partition), CommittedOffset> Offsets { get; } = [];

    /// <summary>Commits written but not yet acknowledged by the log, per partition (require_stable).</summary>
    internal Dictionary<(string Topic, int Partition), int> PendingOffsetCommits { get; } = [];

    /// <summary>The join (or initial delay) timer of a rebalance in progress.</summary>
    internal ITimer? JoinTimer { get; set; }

    /// <summary>Fires when members of a completed join have not synced within the rebalance timeout.</summary>
    internal ITimer? SyncTimer { get; set; }

    /// <summary>True while the first rebalance of an empty group waits group.initial.rebalance.delay.ms.</summary>
    internal bool InInitialDelay { get; set; }

    internal bool NewMemberAdded { get; set; }
    internal long InitialDelayRemainingMs { get; set; }

    public bool Is(GroupState state) => State == state;

    public void TransitionTo(GroupState state, long now)
    {
        State = state;
        CurrentStateTimestamp = now;
    }

    public MemberMetadata? Get(string memberId)
    {
        foreach (var m in _members)
        {
            if (m.MemberId == memberId) return m;
        }
        return null;
    }

    public bool Has(string memberId) => Get(memberId) is not null;

    public bool IsLeader(string memberId) => LeaderId == memberId;

    public string? StaticMemberId(string groupInstanceId) => _staticMembers.GetValueOrDefault(groupInstanceId);

    /// <summary>KIP-345: another instance of the same static member has taken its place.</summary>
    public bool IsStaticMemberFenced(string memberId, string? groupInstanceId) =>
        groupInstanceId is not null && _staticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId;

    public void Add(MemberMetadata member)
    {
        if (_members.Count == 0) ProtocolType = member.ProtocolType;
        _members.Add(member);
        if (member.GroupInstanceId is { } instance) _staticMembers[instance] = member.MemberId;
        LeaderId ??= member.MemberId;
    }

    public void Remove(MemberMetadata member)
    {
        _members.Remove(member);
        if (member.GroupInstanceId is { } instance && _staticMembers.TryGetValue(instance, out var id) && id == member.MemberId)
        {
            _staticMembers.Remove(instance);
        }
        PendingSyncMembers.Remove(member.MemberId);
        if (LeaderId == member.MemberId) LeaderId = _members.Count > 0 ? _members[0].MemberId : null;
    }

    /// <summary>A static member's new instance takes the old one's place (and leadership).</summary>
    public void ReplaceStaticMember(MemberMetadata member, string newMemberId)
    {
        string old = member.MemberId;
        member.MemberId = newMemberId;
        _staticMembers[member.GroupInstanceId!] = newMemberId;
        if (LeaderId == old) LeaderId = newMemberId;
        if (PendingSyncMembers.Remove(old)) PendingSyncMembers.Add(newMemberId);
    }

    /// <summary>
    /// Can a member with these protocols join? An empty group takes any non-empty protocol type
    /// and protocol list; otherwise the type must match and one protocol must be supported by all.
    /// </summary>
    public bool SupportsProtocols(string protocolType, IReadOnlyList<GroupProtocol> protocols)
    {
        if (protocols.Count == 0 || string.IsNullOrEmpty(protocolType)) return false;
        if (_members.Count == 0) return true;
        if (protocolType != ProtocolType) return false;
        foreach (var p in protocols)
        {
            if (AllMembersSupport(p.Name)) return true;
        }
        return false;
    }

    private bool AllMembersSupport(string protocol)
    {
        foreach (var m in _members)
        {
            if (!m.Supports(protocol)) return false;
        }
        return true;
    }

    /// <summary>
    /// Kafka's choice: among the protocols every member supports, each member votes for the one it
    /// prefers most; most votes wins (ties go to the earlier-listed preference of the first member).
    /// </summary>
    public string? SelectProtocol()
    {
        if (_members.Count == 0) return null;
        var candidates = new List<string>();
        foreach (var p in _members[0].Protocols)
        {
            if (AllMembersSupport(p.Name)) candidates.Add(p.Name);
        }
        if (candidates.Count == 0) return null;
        var votes = new int[candidates.Count];
        foreach (var m in _members)
        {
            foreach (var p in m.Protocols)
            {
                int i = candidates.IndexOf(p.Name);
                if (i >= 0)
                {
                    votes[i]++;
                    break;
                }
            }
        }
        int best = 0;
        for (int i = 1; i < votes.Length; i++)
        {
            if (votes[i] > votes[best]) best = i;
        }
        return candidates[best];
    }

    public bool AllMembersJoined
    {
        get
        {
            if (PendingMembers.Count > 0) return false;
            foreach (var m in _members)
            {
                if (!m.IsAwaitingJoin) return false;
            }
            return true;
        }
    }

    public int MaxRebalanceTimeoutMs
    {
        get
        {
            int max = 0;
            foreach (var m in _members) max = Math.Max(max, m.RebalanceTimeoutMs);
            return max;
        }
    }

    public bool HasPendingCommit(string topic, int partition) =>
        PendingOffsetCommits.TryGetValue((topic, partition), out int n) && n > 0;

    /// <summary>The group's record in <c>__consumer_offsets</c>: generation, protocol, leader, members and assignments.</summary>
    public GroupMetadataValue ToRecord()
    {
        var value = new GroupMetadataValue
        {
            ProtocolType = ProtocolType,
            Generation = GenerationId,
            Protocol = ProtocolName,
            Leader = LeaderId,
            CurrentStateTimestamp = CurrentStateTimestamp,
        };
        foreach (var m in _members)
        {
            value.Members.Add(new GroupMetadataValue.MemberMetadata
            {
                MemberId = m.MemberId,
                GroupInstanceId = m.GroupInstanceId,
                ClientId = m.ClientId,
                ClientHost = m.ClientHost,
                RebalanceTimeout = m.RebalanceTimeoutMs,
                SessionTimeout = m.SessionTimeoutMs,
                Subscription = m.MetadataFor(ProtocolName),
                Assignment = m.Assignment,
            });
        }
        return value;
    }

    public override string ToString() => $"group {GroupId} ({State}, generation {GenerationId})";
}
