namespace Samsa.Client.Assignors;

/// <summary>
/// range: per topic, the subscribed members in sorted order each take a contiguous range;
/// the first (partitions % members) members take one extra.
/// </summary>
internal sealed class RangeAssignor : IPartitionAssignor
{
    public string Name => "range";
    public bool IsCooperative => false;

    public byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generation) => null;

    public Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members)
    {
        var result = PartitionAssignors.EmptyAssignment(members);
        var sorted = PartitionAssignors.Sorted(members);
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in members) topics.UnionWith(m.Topics);

        var subscribers = new List<GroupMember>();
        foreach (var topic in topics)
        {
            if (!partitionsPerTopic.TryGetValue(topic, out var partitions) || partitions <= 0) continue;
            subscribers.Clear();
            foreach (var m in sorted)
            {
                if (PartitionAssignors.Subscribes(m, topic)) subscribers.Add(m);
            }
            var perMember = partitions / subscribers.Count;
            var extra = partitions % subscribers.Count;
            for (var i = 0; i < subscribers.Count; i++)
            {
                var start = perMember * i + Math.Min(i, extra);
                var length = perMember + (i < extra ? 1 : 0);
                var list = result[subscribers[i].MemberId];
                for (var p = start; p < start + length; p++) list.Add(new TopicPartition(topic, p));
            }
        }
        return result;
    }
}
