using Samsa.Broker.Hosting;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// A single broker leading every offsets partition itself: the coordinator is this broker, on
/// the advertised endpoint of the listener the client used.
/// </summary>
public sealed class LocalCoordinatorLocator(BrokerIdentity identity, BrokerEndpoints endpoints, GroupCoordinator coordinator) : ICoordinatorLocator
{
    public ValueTask<CoordinatorLocation> LocateAsync(int partition, string listenerName, CancellationToken cancellationToken)
    {
        if (!coordinator.IsOwned(partition)) return ValueTask.FromResult(new CoordinatorLocation(ErrorCode.CoordinatorLoadInProgress, -1, "", -1));
        var advertised = endpoints.Advertised;
        foreach (var l in advertised)
        {
            if (l.Name == listenerName) return ValueTask.FromResult(new CoordinatorLocation(ErrorCode.None, identity.NodeId, l.Host, l.Port));
        }
        return ValueTask.FromResult(advertised.Count > 0
            ? new CoordinatorLocation(ErrorCode.None, identity.NodeId, advertised[0].Host, advertised[0].Port)
            : CoordinatorLocation.Unavailable);
    }
}
