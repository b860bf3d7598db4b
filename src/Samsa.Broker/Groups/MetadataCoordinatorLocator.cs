using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Metadata.Controller;
using Samsa.Protocol;

namespace Samsa.Broker.Groups;

/// <summary>
/// FindCoordinator on the metadata image: the leader of the group's <c>__consumer_offsets</c>
/// partition, on the listener the client used. The first lookup creates the topic through the
/// controller (offsets.topic.num.partitions, replication factor offsets.topic.replication.factor
/// capped at the live brokers, compacted), as Kafka does; COORDINATOR_NOT_AVAILABLE until it exists.
/// </summary>
public sealed class MetadataCoordinatorLocator(MetadataQuorumComponent metadata, BrokerConfig config, ILogger<MetadataCoordinatorLocator>? logger = null) : ICoordinatorLocator
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    public async ValueTask<CoordinatorLocation> LocateAsync(int partition, string listenerName, CancellationToken cancellationToken)
    {
        var quorum = metadata.Quorum;
        var image = quorum.Image;
        if (image.GetTopic(LocalCoordinatorLog.TopicName) is null)
        {
            await CreateTopicAsync(cancellationToken).ConfigureAwait(false);
            // The image follows the commit shortly; wait briefly for it rather than fail the first lookup.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while ((image = quorum.Image).GetTopic(LocalCoordinatorLog.TopicName) is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
        var registration = image.GetPartition(LocalCoordinatorLog.TopicName, partition);
        if (registration is null || !registration.HasLeader) return CoordinatorLocation.Unavailable;
        var endpoint = image.GetBroker(registration.Leader)?.Listener(listenerName);
        return endpoint is null
            ? CoordinatorLocation.Unavailable
            : new CoordinatorLocation(ErrorCode.None, registration.Leader, endpoint.Host, endpoint.Port);
    }

    private async Task CreateTopicAsync(CancellationToken cancellationToken)
    {
        var quorum = metadata.Quorum;
        int live = quorum.Image.LiveBrokers().Count();
        short rf = (short)Math.Max(1, Math.Min(config.OffsetsTopicReplicationFactor, live));
        var topic = new CreatableTopic(LocalCoordinatorLog.TopicName, config.OffsetsTopicNumPartitions, rf,
            Configs: new Dictionary<string, string?>
            {
                ["cleanup.policy"] = "compact",
                ["compression.type"] = "producer",
                ["segment.bytes"] = config.GetInt("offsets.topic.segment.bytes").ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        var results = await quorum.Controller.CreateTopicsAsync([topic], cancellationToken: cancellationToken).ConfigureAwait(false);
        var result = results[0];
        if (result.ErrorCode is not (ErrorCode.None or ErrorCode.TopicAlreadyExists))
        {
            _logger.LogWarning("Creating {Topic} failed: {Error} {Message}", LocalCoordinatorLog.TopicName, result.ErrorCode, result.ErrorMessage);
        }
    }
}
