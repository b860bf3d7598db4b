using Samsa.Client.Assignors;

namespace Samsa.Client.Tests.Assignors;

public class AssignorTests
{
    private static GroupMember M(string id, params string[] topics) => new(id, null, topics);

    private static TopicPartition Tp(string t, int p) => new(t, p);

    private static void AssertComplete(IReadOnlyDictionary<string, int> topics, Dictionary<string, List<TopicPartition>> a)
    {
        var seen = new HashSet<TopicPartition>();
        foreach (var list in a.Values)
        {
            foreach (var tp in list) Assert.True(seen.Add(tp), $"{tp} assigned twice");
        }
        var expected = topics.Sum(kv => kv.Value);
        Assert.Equal(expected, seen.Count);
    }

    private static void AssertBalanced(Dictionary<string, List<TopicPartition>> a)
    {
        var counts = a.Values.Select(l => l.Count).ToList();
        Assert.True(counts.Max() - counts.Min() <= 1, $"unbalanced: {string.Join(",", counts)}");
    }

    [Fact]
    public void Range_gives_contiguous_ranges_per_topic_extra_to_first_members()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 };
        var a = new RangeAssignor().Assign(topics, [M("c1", "t0", "t1"), M("c0", "t0", "t1")]);
        Assert.Equal([Tp("t0", 0), Tp("t0", 1), Tp("t1", 0), Tp("t1", 1)], a["c0"]);
        Assert.Equal([Tp("t0", 2), Tp("t1", 2)], a["c1"]);
    }

    [Fact]
    public void Range_orders_static_members_first_and_skips_unsubscribed()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 4, ["t1"] = 1 };
        var members = new[] { M("a", "t0"), new GroupMember("z", "instance-1", ["t0", "t1"]), M("b", "t0") };
        var a = new RangeAssignor().Assign(topics, members);
        Assert.Equal([Tp("t0", 0), Tp("t0", 1), Tp("t1", 0)], a["z"]);
        Assert.Equal([Tp("t0", 2)], a["a"]);
        Assert.Equal([Tp("t0", 3)], a["b"]);
    }

    [Fact]
    public void Range_with_more_members_than_partitions_leaves_extra_members_idle()
    {
        var topics = new Dictionary<string, int> { ["t"] = 2 };
        var a = new RangeAssignor().Assign(topics, [M("a", "t"), M("b", "t"), M("c", "t")]);
        Assert.Single(a["a"]);
        Assert.Single(a["b"]);
        Assert.Empty(a["c"]);
    }

    [Fact]
    public void RoundRobin_deals_sorted_partitions_over_sorted_members()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 };
        var a = new RoundRobinAssignor().Assign(topics, [M("c1", "t0", "t1"), M("c0", "t0", "t1")]);
        Assert.Equal([Tp("t0", 0), Tp("t0", 2), Tp("t1", 1)], a["c0"]);
        Assert.Equal([Tp("t0", 1), Tp("t1", 0), Tp("t1", 2)], a["c1"]);
    }

    [Fact]
    public void RoundRobin_skips_members_not_subscribed()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 1, ["t1"] = 2, ["t2"] = 3 };
        var a = new RoundRobinAssignor().Assign(topics, [M("c0", "t0"), M("c1", "t0", "t1"), M("c2", "t0", "t1", "t2")]);
        Assert.Equal([Tp("t0", 0)], a["c0"]);
        Assert.Equal([Tp("t1", 0)], a["c1"]);
        Assert.Equal([Tp("t1", 1), Tp("t2", 0), Tp("t2", 1), Tp("t2", 2)], a["c2"]);
    }

    [Fact]
    public void Sticky_fresh_assignment_is_balanced_and_complete()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 5, ["t1"] = 4 };
        var a = new StickyAssignor().Assign(topics, [M("a", "t0", "t1"), M("b", "t0", "t1"), M("c", "t0", "t1")]);
        AssertComplete(topics, a);
        AssertBalanced(a);
    }

    [Fact]
    public void Sticky_keeps_previous_owners_when_a_member_joins()
    {
        var topics = new Dictionary<string, int> { ["t"] = 6 };
        var prevA = new[] { Tp("t", 0), Tp("t", 1), Tp("t", 2) };
        var prevB = new[] { Tp("t", 3), Tp("t", 4), Tp("t", 5) };
        var members = new[]
        {
            new GroupMember("a", null, ["t"]) { UserData = StickyUserData.Write(prevA, 3) },
            new GroupMember("b", null, ["t"]) { UserData = StickyUserData.Write(prevB, 3) },
            M("c", "t"),
        };
        var a = new StickyAssignor().Assign(topics, members);
        AssertComplete(topics, a);
        AssertBalanced(a);
        Assert.Equal(2, a["a"].Count(prevA.Contains));
        Assert.Equal(2, a["b"].Count(prevB.Contains));
        Assert.Equal(2, a["c"].Count);
    }

    [Fact]
    public void Sticky_moves_only_the_leaving_members_partitions()
    {
        var topics = new Dictionary<string, int> { ["t"] = 6 };
        var members = new[]
        {
            new GroupMember("a", null, ["t"]) { UserData = StickyUserData.Write([Tp("t", 0), Tp("t", 1)], 4) },
            new GroupMember("b", null, ["t"]) { UserData = StickyUserData.Write([Tp("t", 2), Tp("t", 3)], 4) },
        };
        var a = new StickyAssignor().Assign(topics, members);
        AssertComplete(topics, a);
        Assert.Contains(Tp("t", 0), a["a"]);
        Assert.Contains(Tp("t", 1), a["a"]);
        Assert.Contains(Tp("t", 2), a["b"]);
        Assert.Contains(Tp("t", 3), a["b"]);
        Assert.Equal(3, a["a"].Count);
    }

    [Fact]
    public void Sticky_newer_generation_claim_wins_and_unsubscribed_claims_are_dropped()
    {
        var topics = new Dictionary<string, int> { ["t"] = 2, ["u"] = 1 };
        var members = new[]
        {
            new GroupMember("a", null, ["t"]) { OwnedPartitions = [Tp("t", 0), Tp("u", 0)], Generation = 1 },
            new GroupMember("b", null, ["t", "u"]) { OwnedPartitions = [Tp("t", 0)], Generation = 2 },
        };
        var a = new StickyAssignor().Assign(topics, members);
        AssertComplete(topics, a);
        Assert.Contains(Tp("t", 0), a["b"]);
        Assert.DoesNotContain(Tp("u", 0), a["a"]);
    }

    [Fact]
    public void Sticky_balances_members_with_different_subscriptions()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 2, ["t1"] = 6 };
        var a = new StickyAssignor().Assign(topics, [M("a", "t0"), M("b", "t0", "t1"), M("c", "t1")]);
        AssertComplete(topics, a);
        Assert.All(a["a"], tp => Assert.Equal("t0", tp.Topic));
        Assert.All(a["c"], tp => Assert.Equal("t1", tp.Topic));
        // 8 partitions over 3 members: a can only have t0's two; b and c split the rest evenly.
        Assert.Equal(2, a["a"].Count);
        Assert.Equal(3, a["b"].Count);
        Assert.Equal(3, a["c"].Count);
    }

    [Fact]
    public void Sticky_user_data_round_trips_and_tolerates_garbage()
    {
        var owned = new[] { Tp("b", 1), Tp("a", 0), Tp("a", 2) };
        var (read, generation) = StickyUserData.Read(StickyUserData.Write(owned, 9));
        Assert.Equal(9, generation);
        Assert.Equal(owned.OrderBy(x => x, TopicPartition.Comparer), read);
        Assert.Empty(StickyUserData.Read(new byte[] { 0, 0, 0, 5, 0xff }).Owned);
        Assert.Empty(StickyUserData.Read(new byte[] { 0x7f, 0, 0, 0, 0, 1 }).Owned);
    }

    [Fact]
    public void Cooperative_first_round_revokes_only_what_must_move()
    {
        var topics = new Dictionary<string, int> { ["t"] = 4 };
        var members = new[]
        {
            new GroupMember("a", null, ["t"]) { OwnedPartitions = [Tp("t", 0), Tp("t", 1), Tp("t", 2), Tp("t", 3)], Generation = 5 },
            M("b", "t"),
        };
        var first = new CooperativeStickyAssignor().Assign(topics, members);
        // a keeps two partitions; the two that move to b are withheld from everyone this round.
        Assert.Equal(2, first["a"].Count);
        Assert.Empty(first["b"]);

        // Second round: a owns only its two; the released ones go to b.
        var second = new CooperativeStickyAssignor().Assign(topics,
        [
            new GroupMember("a", null, ["t"]) { OwnedPartitions = first["a"], Generation = 6 },
            new GroupMember("b", null, ["t"]) { Generation = 6 },
        ]);
        AssertComplete(topics, second);
        Assert.Equal(first["a"], second["a"]);
        Assert.Equal(2, second["b"].Count);
    }

    [Fact]
    public void Cooperative_assigns_unowned_partitions_immediately()
    {
        var topics = new Dictionary<string, int> { ["t"] = 3 };
        var a = new CooperativeStickyAssignor().Assign(topics, [M("a", "t"), M("b", "t")]);
        AssertComplete(topics, a);
        AssertBalanced(a);
    }

    [Fact]
    public void Assignors_are_found_by_short_and_java_names()
    {
        Assert.IsType<RangeAssignor>(PartitionAssignors.TryCreate("range"));
        Assert.IsType<RoundRobinAssignor>(PartitionAssignors.TryCreate("org.apache.kafka.clients.consumer.RoundRobinAssignor"));
        Assert.IsType<StickyAssignor>(PartitionAssignors.TryCreate("sticky"));
        Assert.IsType<CooperativeStickyAssignor>(PartitionAssignors.TryCreate("cooperative-sticky"));
        Assert.Null(PartitionAssignors.TryCreate("bogus"));
    }

    [Fact]
    public void Sticky_large_random_groups_stay_complete_and_balanced()
    {
        var rng = new Random(42);
        for (var round = 0; round < 20; round++)
        {
            var topics = new Dictionary<string, int>();
            for (var t = 0; t < rng.Next(1, 5); t++) topics[$"t{t}"] = rng.Next(1, 20);
            var names = topics.Keys.ToArray();
            var members = Enumerable.Range(0, rng.Next(1, 8)).Select(i => M($"m{i}", names)).ToList();
            var first = new StickyAssignor().Assign(topics, members);
            AssertComplete(topics, first);
            AssertBalanced(first);
            // One member leaves; the rest keep everything they had.
            if (members.Count < 2) continue;
            var remaining = members.Skip(1).Select(m => new GroupMember(m.MemberId, null, names)
            { OwnedPartitions = first[m.MemberId], Generation = 1 }).ToList();
            var second = new StickyAssignor().Assign(topics, remaining);
            AssertComplete(topics, second);
            AssertBalanced(second);
            foreach (var m in remaining) Assert.Empty(first[m.MemberId].Except(second[m.MemberId]));
        }
    }
}
