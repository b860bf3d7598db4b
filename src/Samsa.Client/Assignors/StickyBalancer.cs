namespace Samsa.Client.Assignors;

/// <summary>
/// The balancing core of the sticky assignors: keep every partition with its valid previous owner,
/// give unowned partitions to the least-loaded subscribed member, then move partitions from the
/// most- to the least-loaded members until no eligible move narrows the gap (counts differ by at
/// most one where subscriptions allow). Partitions gained in this round move before ones kept.
/// </summary>
internal static class StickyBalancer
{
    /// <summary>Returns the assignment and, per partition, its valid previous owner.</summary>
    public static (Dictionary<string, List<TopicPartition>> Assignment, Dictionary<TopicPartition, string> PreviousOwner) Balance(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members,
        Func<GroupMember, (IReadOnlyList<TopicPartition> Owned, int Generation)> ownership)
    {
        var sorted = PartitionAssignors.Sorted(members);
        var assignment = PartitionAssignors.EmptyAssignment(members);

        // Every partition some member subscribes to.
        var all = new SortedSet<TopicPartition>(TopicPartition.Comparer);
        foreach (var m in sorted)
        {
            foreach (var topic in m.Topics)
            {
                if (!partitionsPerTopic.TryGetValue(topic, out var n)) continue;
                for (var p = 0; p < n; p++) all.Add(new TopicPartition(topic, p));
            }
        }

        // Valid previous ownership: the claim of the highest generation wins; a claim is void when
        // the member no longer subscribes to the topic or the partition is gone.
        var previousOwner = new Dictionary<TopicPartition, string>();
        var claimGeneration = new Dictionary<TopicPartition, int>();
        var byId = new Dictionary<string, GroupMember>(StringComparer.Ordinal);
        foreach (var m in sorted)
        {
            byId[m.MemberId] = m;
            var (owned, generation) = ownership(m);
            foreach (var tp in owned)
            {
                if (!all.Contains(tp) || !PartitionAssignors.Subscribes(m, tp.Topic)) continue;
                if (claimGeneration.TryGetValue(tp, out var g) && g >= generation) continue;
                claimGeneration[tp] = generation;
                previousOwner[tp] = m.MemberId;
            }
        }

        var kept = new HashSet<TopicPartition>();
        foreach (var (tp, owner) in previousOwner)
        {
            assignment[owner].Add(tp);
            kept.Add(tp);
        }

        // Unowned partitions to the least-loaded subscribed member.
        foreach (var tp in all)
        {
            if (previousOwner.ContainsKey(tp)) continue;
            GroupMember? best = null;
            foreach (var m in sorted)
            {
                if (!PartitionAssignors.Subscribes(m, tp.Topic)) continue;
                if (best is null || assignment[m.MemberId].Count < assignment[best.MemberId].Count) best = m;
            }
            if (best is not null) assignment[best.MemberId].Add(tp);
        }

        // Move from heavy to light members while a move narrows the gap.
        var moved = true;
        while (moved)
        {
            moved = false;
            var byLoad = new List<GroupMember>(sorted);
            byLoad.Sort((a, b) =>
            {
                var c = assignment[b.MemberId].Count.CompareTo(assignment[a.MemberId].Count);
                return c != 0 ? c : GroupMember.Compare(a, b);
            });
            for (var i = 0; i < byLoad.Count && !moved; i++)
            {
                var giver = assignment[byLoad[i].MemberId];
                for (var j = byLoad.Count - 1; j > i && !moved; j--)
                {
                    var receiver = byLoad[j];
                    var taken = assignment[receiver.MemberId];
                    if (giver.Count - taken.Count <= 1) continue;
                    var candidate = PickMovable(giver, receiver, kept);
                    if (candidate is { } tp)
                    {
                        giver.Remove(tp);
                        taken.Add(tp);
                        moved = true;
                    }
                }
            }
        }

        foreach (var list in assignment.Values) list.Sort(TopicPartition.Comparer);
        return (assignment, previousOwner);
    }

    private static TopicPartition? PickMovable(List<TopicPartition> giver, GroupMember receiver, HashSet<TopicPartition> kept)
    {
        TopicPartition? fallback = null;
        // Highest partitions first keeps low-numbered partitions where they were.
        for (var k = giver.Count - 1; k >= 0; k--)
        {
            var tp = giver[k];
            if (!PartitionAssignors.Subscribes(receiver, tp.Topic)) continue;
            if (!kept.Contains(tp)) return tp;
            fallback ??= tp;
        }
        return fallback;
    }
}
