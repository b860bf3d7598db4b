using System.Globalization;

namespace Samsa.Broker.Config;

/// <summary>
/// One entry of <c>listeners</c> / <c>advertised.listeners</c>: <c>NAME://host:port</c>. The name is
/// upper-cased as Kafka does; an empty host means all interfaces; IPv6 hosts are written in brackets.
/// </summary>
public sealed record ListenerEndpoint(string Name, string Host, int Port, string SecurityProtocol)
{
    /// <summary>True for a host that means "all interfaces".</summary>
    public bool IsWildcardHost => Host.Length == 0 || Host is "0.0.0.0" or "::";

    public override string ToString() =>
        $"{Name}://{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>NAME://host:port</c>; the security protocol is filled in by the caller.</summary>
    public static ListenerEndpoint Parse(string configKey, string value)
    {
        int sep = value.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) throw new ConfigException(configKey, value, "expected NAME://host:port");
        string name = value[..sep].ToUpperInvariant();
        (string host, int port) = ParseHostPort(configKey, value, value[(sep + 3)..]);
        return new ListenerEndpoint(name, host, port, "");
    }

    internal static (string Host, int Port) ParseHostPort(string configKey, string whole, string hostPort)
    {
        int colon = hostPort.LastIndexOf(':');
        if (colon < 0) throw new ConfigException(configKey, whole, "expected host:port");
        string host = hostPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(hostPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new ConfigException(configKey, whole, "the port must be a number from 0 to 65535");
        }
        return (host, port);
    }
}

/// <summary>One entry of <c>controller.quorum.voters</c>: <c>id@host:port</c>.</summary>
public sealed record QuorumVoter(int NodeId, string Host, int Port)
{
    public static QuorumVoter Parse(string configKey, string value)
    {
        int at = value.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || !int.TryParse(value.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            throw new ConfigException(configKey, value, "expected id@host:port");
        }
        (string host, int port) = ListenerEndpoint.ParseHostPort(configKey, value, value[(at + 1)..]);
        return new QuorumVoter(id, host, port);
    }

    public override string ToString() => $"{NodeId.ToString(CultureInfo.InvariantCulture)}@{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
