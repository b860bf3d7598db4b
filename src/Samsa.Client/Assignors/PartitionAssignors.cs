namespace Samsa.Client.Assignors;

/// <summary>Maps partition.assignment.strategy names (short or Java class names) to assignors.</summary>
internal static class PartitionAssignors
{
    public static IPartitionAssignor? TryCreate(string name)
    {
        var shortName = name.Trim();
        var dot = shortName.LastIndexOf('.');
        if (dot >= 0) shortName = shortName[(dot + 1)..];
        return shortName.ToLowerInvariant() switch
        {
            "range" or "rangeassignor" => new RangeAssignor(),
            "roundrobin" or "roundrobinassignor" => new RoundRobinAssignor(),
            "sticky" or "stickyassignor" => new StickyAssignor(),
            "cooperative-sticky" or "cooperativestickyassignor" => new CooperativeStickyAssignor(),
            _ => null,
        };
    }

    /// <summary>Empty lists for every member, so members without partitions still get an answer.</summary>
    internal static Dictionary<string, List<TopicPartition>> EmptyAssignment(IReadOnlyList<GroupMember> members)
    {
        var result = new Dictionary<string, List<TopicPartition>>(members.Count, StringComparer.Ordinal);
        foreach (var member in members) result[member.MemberId] = [];
        return result;
    }

    internal static List<GroupMember> Sorted(IReadOnlyList<GroupMember> members)
    {
        var sorted = new List<GroupMember>(members);
        sorted.Sort(GroupMember.Compare);
        return sorted;
    }

    internal static bool Subscribes(GroupMember member, string topic)
    {
        foreach (var t in member.Topics)
        {
            if (string.Equals(t, topic, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
