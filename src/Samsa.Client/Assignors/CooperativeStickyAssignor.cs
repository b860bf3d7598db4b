namespace Samsa.Client.Assignors;

/// <summary>
/// cooperative-sticky: the sticky assignment, but a partition that must change owner is left out
/// of this round. Its owner sees it missing and revokes only it, then rejoins; the follow-up
/// rebalance hands it to the new owner. Members keep consuming everything else throughout.
/// </summary>
internal sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public string Name => "cooperative-sticky";
    public bool IsCooperative => true;

    // The owned partitions travel in the subscription itself; the generation goes in user data
    // for members (and older subscription versions) that have no generation field.
    public byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generation) =>
        StickyUserData.Write([], generation);

    public Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members)
    {
        var (assignment, previousOwner) = StickyBalancer.Balance(partitionsPerTopic, members, Ownership);
        foreach (var (memberId, partitions) in assignment)
        {
            partitions.RemoveAll(tp => previousOwner.TryGetValue(tp, out var owner)
                && !string.Equals(owner, memberId, StringComparison.Ordinal));
        }
        return assignment;
    }

    private static (IReadOnlyList<TopicPartition>, int) Ownership(GroupMember member)
    {
        var generation = member.Generation;
        if (generation < 0 && member.UserData is { Length: > 0 } data) generation = StickyUserData.Read(data).Generation;
        return (member.OwnedPartitions, generation);
    }
}
