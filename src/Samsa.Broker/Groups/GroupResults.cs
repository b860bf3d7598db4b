using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>One protocol (assignor) a member supports, with its opaque metadata.</summary>
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>A JoinGroup as the coordinator sees it (all versions folded together).</summary>
public sealed record JoinGroupRequestData(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ProtocolType,
    IReadOnlyList<GroupProtocol> Protocols,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ClientId,
    string ClientHost,
    bool RequireKnownMemberId,
    bool SupportSkippingAssignment = false,
    string? Reason = null);

/// <summary>A member as the leader receives it in the JoinGroup answer.</summary>
public sealed record JoinGroupMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

public sealed record JoinGroupResult(
    ErrorCode Error,
    string MemberId,
    int GenerationId = -1,
    string? ProtocolType = null,
    string? ProtocolName = null,
    string LeaderId = "",
    bool SkipAssignment = false,
    IReadOnlyList<JoinGroupMember>? Members = null)
{
    public IReadOnlyList<JoinGroupMember> MemberList => Members ?? [];

    public static JoinGroupResult Failed(ErrorCode error, string memberId = "") => new(error, memberId);
}

public sealed record SyncGroupResult(ErrorCode Error, string? ProtocolType = null, string? ProtocolName = null, byte[]? Assignment = null)
{
    /// <summary>Never null: an empty assignment when there is none (clients expect well-formed bytes).</summary>
    public byte[] AssignmentBytes => Assignment ?? [];
}

/// <summary>A member leaving in a LeaveGroup (v3+ batches several).</summary>
public sealed record LeavingMember(string MemberId, string? GroupInstanceId, string? Reason = null);

/// <summary>One partition of an OffsetCommit.</summary>
public sealed record OffsetCommitPartition(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata, long CommitTimestamp = -1);

/// <summary>One partition's answer to an OffsetFetch.</summary>
public readonly record struct FetchedOffset(string Topic, int Partition, long Offset, int LeaderEpoch, string Metadata, ErrorCode Error);

/// <summary>A group as ListGroups shows it.</summary>
public sealed record GroupListing(string GroupId, string ProtocolType, GroupState State);

/// <summary>A member as DescribeGroups shows it.</summary>
public sealed record MemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);

/// <summary>A group as DescribeGroups shows it.</summary>
public sealed record GroupDescription(ErrorCode Error, string GroupId, GroupState State, string ProtocolType, string ProtocolName, IReadOnlyList<MemberDescription> Members);
