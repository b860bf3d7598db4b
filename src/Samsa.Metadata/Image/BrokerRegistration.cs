using System.Collections.Immutable;

namespace Samsa.Metadata.Image;

/// <summary>One listener a broker registered (name as in <c>listeners</c>, e.g. PLAINTEXT).</summary>
public sealed record BrokerEndpoint(string Name, string Host, int Port, short SecurityProtocol);

/// <summary>A broker as registered in the metadata log (immutable).</summary>
public sealed record BrokerRegistration(
    int Id,
    long Epoch,
    Guid IncarnationId,
    ImmutableArray<BrokerEndpoint> Listeners,
    string? Rack,
    bool Fenced,
    bool InControlledShutdown,
    ImmutableDictionary<string, (short Min, short Max)> SupportedFeatures)
{
    /// <summary>The endpoint of the named listener, or null.</summary>
    public BrokerEndpoint? Listener(string name)
    {
        foreach (var l in Listeners)
        {
            if (string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
                return l;
        }

        return null;
    }
}
