using System.Globalization;

namespace Samsa.Broker.Config;

/// <summary>Where a broker config value came from.</summary>
public enum ConfigValueSource
{
    /// <summary>Kafka's default (DescribeConfigs: DEFAULT_CONFIG).</summary>
    Default,

    /// <summary>The properties file (DescribeConfigs: STATIC_BROKER_CONFIG).</summary>
    File,

    /// <summary>A <c>--override key=value</c> on the command line (also STATIC_BROKER_CONFIG).</summary>
    Override,
}

/// <summary>
/// The broker's static configuration, parsed and validated once at startup from Kafka's
/// <c>server.properties</c> keys (see <see cref="BrokerConfigKeys"/>). Immutable and thread-safe.
/// Every accepted key is readable by name (<see cref="Get"/>) for DescribeConfigs; the ones the
/// broker uses have typed properties.
/// </summary>
public sealed class BrokerConfig
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConfigValueSource> _sources = new(StringComparer.Ordinal);

    private BrokerConfig(Dictionary<string, string> originals) => Originals = originals;

    /// <summary>The raw key/value pairs after overrides (unknown keys included).</summary>
    public IReadOnlyDictionary<string, string> Originals { get; }

    /// <summary>Keys given that Samsa does not know (logged as a warning at startup).</summary>
    public IReadOnlyList<string> UnknownKeys { get; private set; } = [];

    public IReadOnlyList<string> ProcessRoles { get; private set; } = [];
    public bool IsBroker { get; private set; }
    public bool IsController { get; private set; }
    public int NodeId { get; private set; }

    /// <summary>Every listener in <c>listeners</c>, controller ones included.</summary>
    public IReadOnlyList<ListenerEndpoint> Listeners { get; private set; } = [];

    /// <summary>The listeners clients use (those not named in <c>controller.listener.names</c>).</summary>
    public IReadOnlyList<ListenerEndpoint> BrokerListeners { get; private set; } = [];

    /// <summary>The listeners named in <c>controller.listener.names</c> that this node binds.</summary>
    public IReadOnlyList<ListenerEndpoint> ControllerListeners { get; private set; } = [];

    /// <summary>What Metadata publishes: <c>advertised.listeners</c>, else the broker listeners.</summary>
    public IReadOnlyList<ListenerEndpoint> AdvertisedListeners { get; private set; } = [];

    public IReadOnlyList<string> ControllerListenerNames { get; private set; } = [];
    public IReadOnlyList<QuorumVoter> ControllerQuorumVoters { get; private set; } = [];

    /// <summary><c>controller.quorum.bootstrap.servers</c> as (host, port).</summary>
    public IReadOnlyList<(string Host, int Port)> ControllerQuorumBootstrapServers { get; private set; } = [];

    public string InterBrokerListenerName { get; private set; } = "";

    /// <summary>The HTTP port's URLs (Samsa's <c>http.listeners</c>); empty = no HTTP port.</summary>
    public IReadOnlyList<Uri> HttpListeners { get; private set; } = [];

    /// <summary>Absolute paths of the log directories (<c>log.dirs</c>, else <c>log.dir</c>).</summary>
    public IReadOnlyList<string> LogDirs { get; private set; } = [];

    /// <summary>Absolute path of the metadata log directory (<c>metadata.log.dir</c>, else the first log dir).</summary>
    public string MetadataLogDir { get; private set; } = "";

    public int NumPartitions => GetInt(BrokerConfigKeys.NumPartitions);
    public int DefaultReplicationFactor => GetInt(BrokerConfigKeys.DefaultReplicationFactor);
    public bool AutoCreateTopicsEnable => GetBoolean(BrokerConfigKeys.AutoCreateTopicsEnable);

    /// <summary>Effective retention: log.retention.ms, else minutes, else hours; negative = keep forever.</summary>
    public long LogRetentionMs { get; private set; }

    public long LogRetentionBytes => GetLong(BrokerConfigKeys.LogRetentionBytes);
    public int LogSegmentBytes => GetInt(BrokerConfigKeys.LogSegmentBytes);

    /// <summary>Effective roll time: log.roll.ms, else log.roll.hours.</summary>
    public long LogRollMs { get; private set; }

    public int MessageMaxBytes => GetInt(BrokerConfigKeys.MessageMaxBytes);
    public int SocketRequestMaxBytes => GetInt(BrokerConfigKeys.SocketRequestMaxBytes);

    /// <summary>Lower-case codec name or <c>producer</c>.</summary>
    public string CompressionType => GetString(BrokerConfigKeys.CompressionType)!.ToLowerInvariant();

    public int MaxConnections => GetInt(BrokerConfigKeys.MaxConnections);
    public int MaxConnectionsPerIp => GetInt(BrokerConfigKeys.MaxConnectionsPerIp);
    public long ConnectionsMaxIdleMs => GetLong(BrokerConfigKeys.ConnectionsMaxIdleMs);
    public int OffsetsTopicNumPartitions => GetInt(BrokerConfigKeys.OffsetsTopicNumPartitions);
    public short OffsetsTopicReplicationFactor => (short)Get(BrokerConfigKeys.OffsetsTopicReplicationFactor)!;
    public int GroupInitialRebalanceDelayMs => GetInt(BrokerConfigKeys.GroupInitialRebalanceDelayMs);
    public int MinInsyncReplicas => GetInt(BrokerConfigKeys.MinInsyncReplicas);
    public string? BrokerRack => GetString(BrokerConfigKeys.BrokerRack);

    /// <summary>The parsed value of a known key (null when unset without default).</summary>
    public object? Get(string key) =>
        _values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"unknown broker config {key}");

    public int GetInt(string key) => (int)Get(key)!;
    public long GetLong(string key) => (long)Get(key)!;
    public bool GetBoolean(string key) => (bool)Get(key)!;
    public string? GetString(string key) => (string?)Get(key);
    public IReadOnlyList<string> GetList(string key) => (IReadOnlyList<string>?)Get(key) ?? [];

    public ConfigValueSource SourceOf(string key) => _sources.TryGetValue(key, out var s) ? s : ConfigValueSource.Default;

    /// <summary>
    /// Merges the file's pairs with the overrides (overrides win), parses and validates every key.
    /// </summary>
    /// <exception cref="ConfigException">The first bad value, naming key, value and reason.</exception>
    public static BrokerConfig Create(IReadOnlyDictionary<string, string> file, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var originals = new Dictionary<string, string>(file, StringComparer.Ordinal);
        if (overrides is not null)
        {
            foreach (var (k, v) in overrides) originals[k] = v;
        }
        var config = new BrokerConfig(originals);

        var unknown = new List<string>();
        foreach (var name in originals.Keys)
        {
            if (!BrokerConfigKeys.TryGet(name, out _)) unknown.Add(name);
        }
        unknown.Sort(StringComparer.Ordinal);
        config.UnknownKeys = unknown;

        foreach (var key in BrokerConfigKeys.All)
        {
            if (originals.TryGetValue(key.Name, out var raw))
            {
                config._values[key.Name] = key.Parse(raw);
                config._sources[key.Name] = overrides is not null && overrides.ContainsKey(key.Name)
                    ? ConfigValueSource.Override : ConfigValueSource.File;
            }
            else if (key.Required && !(key.Name == BrokerConfigKeys.NodeId && originals.ContainsKey(BrokerConfigKeys.BrokerId)))
            {
                throw new ConfigException(key.Name, null, "required, and it has no default");
            }
            else
            {
                config._values[key.Name] = key.Parse(key.DefaultValue);
            }
        }

        config.Resolve();
        return config;
    }

    private void Resolve()
    {
        ResolveRoles();
        ResolveListeners();
        ResolveQuorum();

        var dirs = Get(BrokerConfigKeys.LogDirs) is null
            ? [GetString(BrokerConfigKeys.LogDir)!]
            : GetList(BrokerConfigKeys.LogDirs);
        if (dirs.Count == 0 || dirs.Any(string.IsNullOrWhiteSpace))
        {
            throw new ConfigException(BrokerConfigKeys.LogDirs, Originals.GetValueOrDefault(BrokerConfigKeys.LogDirs), "needs at least one directory and no empty entries");
        }
        LogDirs = dirs.Select(Path.GetFullPath).ToArray();
        if (LogDirs.Distinct(StringComparer.Ordinal).Count() != LogDirs.Count)
        {
            throw new ConfigException(BrokerConfigKeys.LogDirs, Originals.GetValueOrDefault(BrokerConfigKeys.LogDirs), "lists the same directory twice");
        }
        string? metadataDir = GetString(BrokerConfigKeys.MetadataLogDir);
        MetadataLogDir = string.IsNullOrEmpty(metadataDir) ? LogDirs[0] : Path.GetFullPath(metadataDir);

        LogRetentionMs = Get(BrokerConfigKeys.LogRetentionMs) is long ms ? ms
            : Get(BrokerConfigKeys.LogRetentionMinutes) is int minutes ? minutes * 60_000L
            : GetInt(BrokerConfigKeys.LogRetentionHours) * 3_600_000L;
        LogRollMs = Get(BrokerConfigKeys.LogRollMs) is long roll ? roll : GetInt(BrokerConfigKeys.LogRollHours) * 3_600_000L;

        var http = new List<Uri>();
        foreach (var url in GetList(BrokerConfigKeys.HttpListeners))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                throw new ConfigException(BrokerConfigKeys.HttpListeners, url, "expected http://host:port");
            }
            http.Add(uri);
        }
        HttpListeners = http;
    }

    private void ResolveRoles()
    {
        ProcessRoles = GetList(BrokerConfigKeys.ProcessRoles);
        if (ProcessRoles.Distinct(StringComparer.Ordinal).Count() != ProcessRoles.Count)
        {
            throw new ConfigException(BrokerConfigKeys.ProcessRoles, Originals[BrokerConfigKeys.ProcessRoles], "lists a role twice");
        }
        IsBroker = ProcessRoles.Contains("broker");
        IsController = ProcessRoles.Contains("controller");

        int brokerId = GetInt(BrokerConfigKeys.BrokerId);
        if (Get(BrokerConfigKeys.NodeId) is not int nodeId)
        {
            if (brokerId < 0) throw new ConfigException(BrokerConfigKeys.NodeId, null, "required, and it has no default");
            nodeId = brokerId;
            _values[BrokerConfigKeys.NodeId] = nodeId;
        }
        else if (brokerId >= 0 && brokerId != nodeId)
        {
            throw new ConfigException(BrokerConfigKeys.BrokerId, brokerId.ToString(CultureInfo.InvariantCulture), $"must match node.id ({nodeId}) when both are set");
        }
        NodeId = nodeId;
    }

    private void ResolveListeners()
    {
        var protocolMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in GetList(BrokerConfigKeys.ListenerSecurityProtocolMap))
        {
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new ConfigException(BrokerConfigKeys.ListenerSecurityProtocolMap, entry, "expected LISTENER_NAME:PROTOCOL");
            protocolMap[entry[..colon].Trim().ToUpperInvariant()] = entry[(colon + 1)..].Trim().ToUpperInvariant();
        }
        ControllerListenerNames = GetList(BrokerConfigKeys.ControllerListenerNames).Select(n => n.ToUpperInvariant()).ToArray();

        string ProtocolOf(string key, string value, string name)
        {
            if (protocolMap.TryGetValue(name, out var protocol)) return protocol;
            // As in Kafka 4: an unmapped controller listener is PLAINTEXT.
            if (ControllerListenerNames.Contains(name)) return "PLAINTEXT";
            throw new ConfigException(key, value, $"listener name {name} has no entry in listener.security.protocol.map");
        }

        List<ListenerEndpoint> ParseList(string key)
        {
            var result = new List<ListenerEndpoint>();
            foreach (var item in GetList(key))
            {
                var l = ListenerEndpoint.Parse(key, item);
                l = l with { SecurityProtocol = ProtocolOf(key, item, l.Name) };
                if (l.SecurityProtocol != "PLAINTEXT")
                {
                    throw new ConfigException(key, item, $"security protocol {l.SecurityProtocol} is not supported by Samsa yet (only PLAINTEXT)");
                }
                if (result.Exists(r => r.Name == l.Name)) throw new ConfigException(key, Originals[key], $"listener name {l.Name} appears twice");
                if (l.Port != 0 && result.Exists(r => r.Port == l.Port)) throw new ConfigException(key, Originals[key], $"port {l.Port} is used by two listeners");
                result.Add(l);
            }
            return result;
        }

        Listeners = ParseList(BrokerConfigKeys.Listeners);
        BrokerListeners = Listeners.Where(l => !ControllerListenerNames.Contains(l.Name)).ToArray();
        ControllerListeners = Listeners.Where(l => ControllerListenerNames.Contains(l.Name)).ToArray();
        string listenersValue = Originals.GetValueOrDefault(BrokerConfigKeys.Listeners) ?? "PLAINTEXT://:9092";

        if (IsController && ControllerListeners.Count == 0)
        {
            throw new ConfigException(BrokerConfigKeys.Listeners, listenersValue,
                $"a controller needs a listener named in controller.listener.names ({string.Join(",", ControllerListenerNames)})");
        }
        if (!IsController && ControllerListeners.Count > 0)
        {
            throw new ConfigException(BrokerConfigKeys.Listeners, listenersValue,
                "a broker-only node must not listen on a controller listener");
        }
        if (IsBroker && BrokerListeners.Count == 0)
        {
            throw new ConfigException(BrokerConfigKeys.Listeners, listenersValue, "a broker needs at least one listener that is not a controller listener");
        }

        var advertised = Get(BrokerConfigKeys.AdvertisedListeners) is null
            ? BrokerListeners.ToList()
            : ParseList(BrokerConfigKeys.AdvertisedListeners);
        foreach (var a in advertised)
        {
            if (a.Host is "0.0.0.0" or "::")
            {
                throw new ConfigException(BrokerConfigKeys.AdvertisedListeners, a.ToString(), "cannot advertise the wildcard address; give a host clients can reach");
            }
        }
        // Controller listeners are only advertised for the quorum, never to clients in Metadata.
        AdvertisedListeners = advertised.Where(l => !ControllerListenerNames.Contains(l.Name)).ToArray();

        string? interBroker = GetString(BrokerConfigKeys.InterBrokerListenerName);
        if (!string.IsNullOrEmpty(interBroker))
        {
            interBroker = interBroker.ToUpperInvariant();
            if (IsBroker && !BrokerListeners.Any(l => l.Name == interBroker))
            {
                throw new ConfigException(BrokerConfigKeys.InterBrokerListenerName, interBroker, "is not one of the broker listeners");
            }
            InterBrokerListenerName = interBroker;
        }
        else
        {
            InterBrokerListenerName = BrokerListeners.Count > 0 ? BrokerListeners[0].Name : "";
        }
    }

    private void ResolveQuorum()
    {
        var voters = new List<QuorumVoter>();
        foreach (var v in GetList(BrokerConfigKeys.ControllerQuorumVoters))
        {
            var voter = QuorumVoter.Parse(BrokerConfigKeys.ControllerQuorumVoters, v);
            if (voters.Exists(x => x.NodeId == voter.NodeId))
            {
                throw new ConfigException(BrokerConfigKeys.ControllerQuorumVoters, Originals[BrokerConfigKeys.ControllerQuorumVoters], $"voter {voter.NodeId} appears twice");
            }
            voters.Add(voter);
        }
        ControllerQuorumVoters = voters;

        var bootstrap = new List<(string, int)>();
        foreach (var s in GetList(BrokerConfigKeys.ControllerQuorumBootstrapServers))
        {
            bootstrap.Add(ListenerEndpoint.ParseHostPort(BrokerConfigKeys.ControllerQuorumBootstrapServers, s, s));
        }
        ControllerQuorumBootstrapServers = bootstrap;

        if (voters.Count == 0 && bootstrap.Count == 0)
        {
            throw new ConfigException(BrokerConfigKeys.ControllerQuorumVoters, null,
                "either controller.quorum.voters or controller.quorum.bootstrap.servers must name the controllers");
        }
        if (IsController && voters.Count > 0 && !voters.Exists(v => v.NodeId == NodeId))
        {
            throw new ConfigException(BrokerConfigKeys.ControllerQuorumVoters, Originals[BrokerConfigKeys.ControllerQuorumVoters],
                $"this node is a controller, so its node.id {NodeId} must be one of the voters");
        }
    }
}
