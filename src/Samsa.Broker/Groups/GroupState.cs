namespace Samsa.Broker.Groups;

/// <summary>
/// The states of a classic group, with Kafka's names (ListGroups and DescribeGroups show them).
/// Empty → PreparingRebalance → CompletingRebalance → Stable, back to PreparingRebalance on any
/// membership or protocol change; Dead once deleted or expired.
/// </summary>
public enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}
