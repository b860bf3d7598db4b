using Microsoft.Extensions.Logging;
using Samsa.Broker.Config;
using Samsa.Metadata;
using Samsa.Metadata.Image;

namespace Samsa.Broker.Hosting;

/// <summary>
/// Starts this node's metadata quorum (the Raft-ordered metadata log, its image, the controller and
/// the producer id manager) before anything that reads the image, and stops it last. Handlers and
/// components reach the quorum through <see cref="Quorum"/> once started.
/// </summary>
public sealed class MetadataQuorumComponent : IBrokerComponent, IAsyncDisposable
{
    private readonly BrokerConfig _config;
    private readonly ILoggerFactory _loggers;
    private MetadataQuorum? _quorum;

    public MetadataQuorumComponent(BrokerConfig config, ILoggerFactory loggers)
    {
        _config = config;
        _loggers = loggers;
    }

    public string Name => "metadata quorum";

    public MetadataQuorum Quorum => _quorum ?? throw new InvalidOperationException("the metadata quorum has not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var voters = new List<Samsa.Metadata.Log.QuorumVoter>();
        foreach (QuorumVoter v in _config.ControllerQuorumVoters)
        {
            voters.Add(new Samsa.Metadata.Log.QuorumVoter(v.NodeId, v.Host, v.Port));
        }
        var listeners = new List<BrokerEndpoint>();
        foreach (ListenerEndpoint l in _config.AdvertisedListeners)
        {
            listeners.Add(new BrokerEndpoint(l.Name, l.Host, l.Port, SecurityProtocolId(l.SecurityProtocol)));
        }
        _quorum = await MetadataQuorum.StartAsync(new MetadataQuorumOptions
        {
            NodeId = _config.NodeId,
            LogDirectory = _config.MetadataLogDir,
            Voters = voters,
            Listeners = listeners,
            Rack = _config.BrokerRack,
            DefaultNumPartitions = _config.NumPartitions,
            DefaultReplicationFactor = (short)_config.DefaultReplicationFactor,
            StaticBrokerConfig = _config.Originals,
            LoggerFactory = _loggers,
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _quorum, null) is { } quorum)
        {
            await quorum.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Kafka's security protocol ids as registered in the metadata log.</summary>
    private static short SecurityProtocolId(string name) => name switch
    {
        "SSL" => 1,
        "SASL_PLAINTEXT" => 2,
        "SASL_SSL" => 3,
        _ => 0,
    };
}
