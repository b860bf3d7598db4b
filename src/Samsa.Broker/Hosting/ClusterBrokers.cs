using Samsa.Broker.Config;
using Samsa.Metadata.Image;

namespace Samsa.Broker.Hosting;

/// <summary>A broker as a client on one listener reaches it (Metadata and DescribeCluster answers).</summary>
public readonly record struct VisibleBroker(int Id, string Host, int Port, string? Rack);

/// <summary>
/// The live brokers a client sees on the listener it connected to: this broker first, as it is
/// reachable now (a configured port 0 resolved to the bound one), then the others from the image.
/// </summary>
public static class ClusterBrokers
{
    public static List<VisibleBroker> Visible(MetadataImage image, BrokerConfig config, BrokerEndpoints endpoints, string listenerName)
    {
        var brokers = new List<VisibleBroker>();
        foreach (ListenerEndpoint l in endpoints.Advertised)
        {
            if (l.Name == listenerName)
            {
                brokers.Add(new VisibleBroker(config.NodeId, l.Host, l.Port, config.BrokerRack));
                break;
            }
        }
        foreach (BrokerRegistration broker in image.LiveBrokers())
        {
            if (broker.Id != config.NodeId && broker.Listener(listenerName) is { } l)
            {
                brokers.Add(new VisibleBroker(broker.Id, l.Host, l.Port, broker.Rack));
            }
        }
        return brokers;
    }
}
