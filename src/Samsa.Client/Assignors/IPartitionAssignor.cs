namespace Samsa.Client.Assignors;

/// <summary>
/// A client-side partition assignor of the classic group protocol. The group leader runs
/// <see cref="Assign"/> over every member's subscription; the others only announce their name.
/// </summary>
internal interface IPartitionAssignor
{
    /// <summary>The protocol name sent in JoinGroup ("range", "cooperative-sticky", ...).</summary>
    string Name { get; }

    /// <summary>True when members keep their partitions across a rebalance (incremental protocol).</summary>
    bool IsCooperative { get; }

    /// <summary>User data sent with the subscription (the sticky assignor's previous assignment).</summary>
    byte[]? SubscriptionUserData(IReadOnlyCollection<TopicPartition> owned, int generation);

    /// <summary>Assigns the partitions of <paramref name="partitionsPerTopic"/> to the members.</summary>
    Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic, IReadOnlyList<GroupMember> members);
}
