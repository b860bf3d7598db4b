namespace Samsa.Client.Assignors;

/// <summary>
/// sticky (eager): a balanced assignment that keeps as many partitions as possible with their
/// previous owners. Members revoke everything before joining, so the previous assignment travels
/// in the subscription's user data.
/// </summary>
internal sealed class StickyAssignor : IPartitionAssignor
{
    public string Name => "sticky";
    public bool IsCooperative => false;

    public byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generation) =>
        StickyUserData.Write(owned, generation);

    public Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members) =>
        StickyBalancer.Balance(partitionsPerTopic, members, Ownership).Assignment;

    internal static (IReadOnlyList<TopicPartition>, int) Ownership(GroupMember member)
    {
        if (member.OwnedPartitions.Count > 0) return (member.OwnedPartitions, member.Generation);
        if (member.UserData is { Length: > 0 } data)
        {
            var (owned, generation) = StickyUserData.Read(data);
            return (owned, member.Generation >= 0 ? member.Generation : generation);
        }
        return ([], -1);
    }
}
