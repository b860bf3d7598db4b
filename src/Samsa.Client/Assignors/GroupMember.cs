namespace Samsa.Client.Assignors;

/// <summary>
/// One member's subscription as the group leader sees it: topics, the partitions it owns now
/// (cooperative protocol) or owned before (sticky user data), and its generation.
/// </summary>
internal sealed class GroupMember(string memberId, string? groupInstanceId, IReadOnlyList<string> topics)
{
    public string MemberId { get; } = memberId;
    public string? GroupInstanceId { get; } = groupInstanceId;
    public IReadOnlyList<string> Topics { get; } = topics;
    public IReadOnlyList<TopicPartition> OwnedPartitions { get; init; } = [];
    public int Generation { get; init; } = -1;
    public byte[]? UserData { get; init; }

    /// <summary>Static members first by instance id, then dynamic members by member id (ordinal).</summary>
    public static int Compare(GroupMember a, GroupMember b)
    {
        if (a.GroupInstanceId is not null && b.GroupInstanceId is not null)
            return string.CompareOrdinal(a.GroupInstanceId, b.GroupInstanceId);
        if (a.GroupInstanceId is not null) return -1;
        if (b.GroupInstanceId is not null) return 1;
        return string.CompareOrdinal(a.MemberId, b.MemberId);
    }
}
