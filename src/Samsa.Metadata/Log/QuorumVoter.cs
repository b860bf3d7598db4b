using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Samsa.Metadata.Log;

/// <summary>One voter of the metadata quorum, as written in <c>controller.quorum.voters</c> (<c>id@host:port</c>).</summary>
public sealed record QuorumVoter(int NodeId, string Host, int Port)
{
    /// <summary>Parses Kafka's <c>controller.quorum.voters</c>: <c>1@host1:9093,2@host2:9093</c>.</summary>
    /// <exception cref="FormatException">The value is malformed; the message names the bad entry.</exception>
    public static IReadOnlyList<QuorumVoter> ParseList(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var voters = new List<QuorumVoter>();
        foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = raw.IndexOf('@');
            var colon = raw.LastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == raw.Length - 1)
                throw new FormatException($"controller.quorum.voters: '{raw}' is not of the form id@host:port");
            if (!int.TryParse(raw.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 0)
                throw new FormatException($"controller.quorum.voters: '{raw}' has a bad node id");
            var host = raw[(at + 1)..colon].Trim('[', ']');
            if (!int.TryParse(raw.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                throw new FormatException($"controller.quorum.voters: '{raw}' has a bad port");
            if (voters.Exists(v => v.NodeId == id))
                throw new FormatException($"controller.quorum.voters: node id {id} appears twice");
            voters.Add(new QuorumVoter(id, host, port));
        }

        if (voters.Count == 0)
            throw new FormatException("controller.quorum.voters is empty");
        return voters;
    }

    /// <summary>The voter's address; host names are resolved (IPv4 preferred), so every node derives the same endpoint.</summary>
    public IPEndPoint ResolveEndPoint()
    {
        if (IPAddress.TryParse(Host, out var ip))
            return new IPEndPoint(ip, Port);
        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase))
            return new IPEndPoint(IPAddress.Loopback, Port);
        var addresses = Dns.GetHostAddresses(Host);
        var chosen = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"controller.quorum.voters: host '{Host}' does not resolve");
        return new IPEndPoint(chosen, Port);
    }

    public override string ToString() => $"{NodeId}@{Host}:{Port}";
}
