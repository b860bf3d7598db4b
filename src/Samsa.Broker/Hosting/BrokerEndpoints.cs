using System.Net;
using Samsa.Broker.Config;

namespace Samsa.Broker.Hosting;

/// <summary>
/// The Kafka listeners as bound (port 0 resolved to the real port) and what Metadata should
/// advertise. Filled in by the server once its listeners are open; empty before.
/// </summary>
public sealed class BrokerEndpoints
{
    private readonly BrokerConfig _config;
    private volatile IReadOnlyList<ListenerEndpoint> _bound = [];
    private volatile IReadOnlyList<ListenerEndpoint> _advertised = [];

    public BrokerEndpoints(BrokerConfig config) => _config = config;

    public IReadOnlyList<ListenerEndpoint> Bound => _bound;

    /// <summary><c>advertised.listeners</c> (else the broker listeners) with a port of 0 replaced by the
    /// bound port and an empty host by this machine's host name.</summary>
    public IReadOnlyList<ListenerEndpoint> Advertised => _advertised;

    public void SetBound(IReadOnlyList<ListenerEndpoint> bound)
    {
        _bound = bound;
        var advertised = new List<ListenerEndpoint>();
        foreach (var a in _config.AdvertisedListeners)
        {
            var result = a;
            if (a.Port == 0)
            {
                foreach (var b in bound)
                {
                    if (b.Name == a.Name)
                    {
                        result = result with { Port = b.Port };
                        break;
                    }
                }
            }
            if (a.Host.Length == 0) result = result with { Host = Dns.GetHostName() };
            advertised.Add(result);
        }
        _advertised = advertised;
    }
}
