using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>Where a coordinator is: the broker leading an internal-topic partition, on a listener.</summary>
public readonly record struct CoordinatorLocation(ErrorCode Error, int NodeId, string Host, int Port)
{
    public static CoordinatorLocation Unavailable => new(ErrorCode.CoordinatorNotAvailable, -1, "", -1);
}

/// <summary>
/// Finds the leader of a <c>__consumer_offsets</c> partition for FindCoordinator (creating the
/// topic on first use where the metadata layer does that).
/// </summary>
public interface ICoordinatorLocator
{
    ValueTask<CoordinatorLocation> LocateAsync(int partition, string listenerName, CancellationToken cancellationToken);
}
