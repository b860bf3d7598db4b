using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Metadata.Image;

namespace Samsa.Broker.Groups;

/// <summary>
/// Follows the metadata image: when this broker becomes the leader of an offsets partition the
/// coordinator loads it (in the background; its groups answer COORDINATOR_LOAD_IN_PROGRESS
/// meanwhile), and when it stops leading it the coordinator drops its groups. Runs after the
/// partition manager on each image, so a partition it loads is already hosted.
/// </summary>
public sealed class OffsetsTopicLeadership(GroupCoordinator coordinator, MetadataQuorumComponent metadata, BrokerConfig config,
    ILogger<OffsetsTopicLeadership>? logger = null) : IBrokerComponent
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly Lock _gate = new();
    private readonly bool[] _leading = new bool[coordinator.PartitionCount];
    private MetadataLoader? _loader;

    public string Name => "group coordinator";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loader = metadata.Quorum.Loader;
        _loader.ImageChanged += OnImageChanged;
        Apply(_loader.Current);
        coordinator.StartExpiry();
        return Task.CompletedTask;
    }

    private void OnImageChanged(object? sender, MetadataImageChangedEventArgs e) => Apply(e.Image);

    private void Apply(MetadataImage image)
    {
        lock (_gate)
        {
            for (int p = 0; p < _leading.Length; p++)
            {
                var registration = image.GetPartition(LocalCoordinatorLog.TopicName, p);
                bool lead = registration is not null && registration.Leader == config.NodeId;
                if (lead == _leading[p]) continue;
                _leading[p] = lead;
                int partition = p;
                if (lead)
                {
                    coordinator.MarkLoading(partition);
                    _ = Task.Run(() => Load(partition));
                }
                else
                {
                    coordinator.UnloadPartition(partition);
                }
            }
        }
    }

    private void Load(int partition)
    {
        try
        {
            lock (_gate)
            {
                if (!_leading[partition]) return;
                coordinator.LoadPartition(partition);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Loading __consumer_offsets-{Partition} failed", partition);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loader is not null) _loader.ImageChanged -= OnImageChanged;
        coordinator.Dispose();
        return Task.CompletedTask;
    }
}
