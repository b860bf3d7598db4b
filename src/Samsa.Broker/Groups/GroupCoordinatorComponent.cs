using Samsa.Broker.Hosting;

namespace Samsa.Broker.Groups;

/// <summary>
/// Starts the group coordinator before the listeners open: loads the offsets partitions this
/// broker leads (all of them for a single local broker) and starts offset expiry.
/// </summary>
public sealed class GroupCoordinatorComponent(GroupCoordinator coordinator) : IBrokerComponent
{
    public string Name => "group coordinator";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        for (int p = 0; p < coordinator.PartitionCount; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            coordinator.LoadPartition(p);
        }
        coordinator.StartExpiry();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        coordinator.Dispose();
        return Task.CompletedTask;
    }
}
