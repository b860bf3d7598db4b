using Microsoft.Extensions.Logging;
using Samsa.Broker.Hosting;

namespace Samsa.Broker.Replicas;

/// <summary>
/// Starts the <see cref="PartitionManager"/> on the metadata image, so every partition the image
/// places here is hosted before the listeners open. At stop (after the listeners closed and the
/// components started later stopped), answers the waiting fetches and closes the logs cleanly
/// (flush, checkpoints, clean-shutdown marker).
/// </summary>
public sealed class ReplicaManagerComponent : IBrokerComponent, IDisposable
{
    private readonly ReplicaManager _replicaManager;
    private readonly MetadataQuorumComponent _metadata;
    private readonly ILoggerFactory _loggers;
    private PartitionManager? _partitions;

    public ReplicaManagerComponent(ReplicaManager replicaManager, MetadataQuorumComponent metadata, ILoggerFactory loggers)
    {
        _replicaManager = replicaManager;
        _metadata = metadata;
        _loggers = loggers;
    }

    public string Name => "replica manager";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _partitions = new PartitionManager(_replicaManager, _metadata.Quorum.Controller.Configs, _loggers.CreateLogger<PartitionManager>());
        _partitions.Start(_metadata.Quorum.Loader);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Stops following the image, answers waiting fetches and closes the logs (also after a failed start).</summary>
    public void Dispose()
    {
        _partitions?.Dispose();
        _replicaManager.Dispose();
        _replicaManager.Logs.Close();
    }
}
