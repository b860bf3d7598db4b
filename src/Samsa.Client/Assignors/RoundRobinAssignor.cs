namespace Samsa.Client.Assignors;

/// <summary>
/// roundrobin: every partition of every subscribed topic, sorted by topic then partition, goes to
/// the next member in sorted order that subscribes to its topic.
/// </summary>
internal sealed class RoundRobinAssignor : IPartitionAssignor
{
    public string Name => "roundrobin";
    public bool IsCooperative => false;

    public byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generation) => null;

    public Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members)
    {
        var result = PartitionAssignors.EmptyAssignment(members);
        if (members.Count == 0) return result;
        var sorted = PartitionAssignors.Sorted(members);
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in members) topics.UnionWith(m.Topics);

        var next = 0;
        foreach (var topic in topics)
        {
            if (!partitionsPerTopic.TryGetValue(topic, out var partitions)) continue;
            for (var p = 0; p < partitions; p++)
            {
                // Some member subscribes to every topic in the set, so this loop ends.
                while (!PartitionAssignors.Subscribes(sorted[next], topic)) next = (next + 1) % sorted.Count;
                result[sorted[next].MemberId].Add(new TopicPartition(topic, p));
                next = (next + 1) % sorted.Count;
            }
        }
        return result;
    }
}
