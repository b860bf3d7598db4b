using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Samsa.Client;

/// <summary>
/// Settings shared by producer, consumer and admin client. Each property carries Kafka's name in
/// its doc and Kafka's default. Kafka properties are applied with <see cref="Set"/>, a dictionary or
/// an <see cref="IConfiguration"/> section; keys may be Kafka's ("bootstrap.servers") or the
/// property's name ("BootstrapServers"). Unknown keys are collected in <see cref="UnknownKeys"/>
/// (and logged as warnings by the clients); bad values throw <see cref="KafkaConfigException"/>.
/// </summary>
public abstract class ClientConfig
{
    private readonly List<string> _unknownKeys = [];

    /// <summary>bootstrap.servers: comma-separated host:port list. Required.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>client.id (default: generated per client, e.g. "samsa-producer-1").</summary>
    public string? ClientId { get; set; }

    /// <summary>client.rack: sent with fetches so a broker may pick the closest replica.</summary>
    public string? ClientRack { get; set; }

    /// <summary>request.timeout.ms (30000).</summary>
    public int RequestTimeoutMs { get; set; } = 30000;

    /// <summary>metadata.max.age.ms (300000): metadata is refreshed at least this often.</summary>
    public int MetadataMaxAgeMs { get; set; } = 300000;

    /// <summary>reconnect.backoff.ms (50).</summary>
    public int ReconnectBackoffMs { get; set; } = 50;

    /// <summary>reconnect.backoff.max.ms (1000).</summary>
    public int ReconnectBackoffMaxMs { get; set; } = 1000;

    /// <summary>retry.backoff.ms (100).</summary>
    public int RetryBackoffMs { get; set; } = 100;

    /// <summary>retry.backoff.max.ms (1000).</summary>
    public int RetryBackoffMaxMs { get; set; } = 1000;

    /// <summary>socket.connection.setup.timeout.ms (10000).</summary>
    public int SocketConnectionSetupTimeoutMs { get; set; } = 10000;

    /// <summary>connections.max.idle.ms (540000).</summary>
    public int ConnectionsMaxIdleMs { get; set; } = 540000;

    /// <summary>Keys given to <see cref="Set"/> that no setting of this client knows.</summary>
    public IReadOnlyList<string> UnknownKeys => _unknownKeys;

    /// <summary>Applies one Kafka property. Unknown keys are remembered, bad values throw.</summary>
    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!TryApply(ConfigValue.Normalize(key), key, value) && !IgnoredKeys.Contains(key))
            _unknownKeys.Add(key);
    }

    /// <summary>Applies Kafka properties such as a parsed producer.properties file.</summary>
    public void Apply(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        foreach (var (key, value) in properties) Set(key, value);
    }

    /// <summary>Applies every value of a configuration section (nested sections are not settings).</summary>
    public void Apply(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (var child in section.GetChildren())
        {
            if (child.Value is { } value) Set(child.Key, value);
        }
    }

    /// <summary>Checks cross-setting rules; the clients call it when they are created.</summary>
    public virtual void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
            throw new KafkaConfigException("bootstrap.servers", "must list at least one host:port.");
        foreach (var server in ConfigValue.List(BootstrapServers)) _ = ParseHostPort(server);
        ConfigValue.Range("request.timeout.ms", RequestTimeoutMs, 0, int.MaxValue);
        ConfigValue.Range("reconnect.backoff.ms", ReconnectBackoffMs, 0, int.MaxValue);
        ConfigValue.Range("reconnect.backoff.max.ms", ReconnectBackoffMaxMs, 0, int.MaxValue);
        ConfigValue.Range("retry.backoff.ms", RetryBackoffMs, 0, int.MaxValue);
        ConfigValue.Range("metadata.max.age.ms", MetadataMaxAgeMs, 0, int.MaxValue);
    }

    internal void WarnUnknownKeys(ILogger logger)
    {
        foreach (var key in _unknownKeys)
            logger.LogWarning("Unknown configuration key '{Key}' is ignored.", key);
    }

    internal static (string Host, int Port) ParseHostPort(string server)
    {
        var colon = server.LastIndexOf(':');
        if (colon <= 0 || colon == server.Length - 1)
            throw new KafkaConfigException("bootstrap.servers", $"'{server}' is not host:port.");
        var host = server[..colon].Trim('[', ']');
        var port = ConfigValue.Int("bootstrap.servers", server[(colon + 1)..], 1, 65535);
        return (host, port);
    }

    internal string ResolveClientId(string kind)
    {
        if (!string.IsNullOrEmpty(ClientId)) return ClientId;
        return $"samsa-{kind}-{Interlocked.Increment(ref s_clientSequence)}";
    }

    private static int s_clientSequence;

    /// <summary>Keys accepted for compatibility with existing property files but not needed here.</summary>
    private static readonly HashSet<string> IgnoredKeys = new(StringComparer.Ordinal)
    {
        "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
        "send.buffer.bytes", "receive.buffer.bytes", "metric.reporters", "metrics.num.samples",
        "metrics.sample.window.ms", "metrics.recording.level", "auto.include.jmx.reporter",
        "client.dns.lookup", "enable.metrics.push", "interceptor.classes",
    };

    /// <summary>Applies a setting known to this config type; returns false when the key is unknown.</summary>
    private protected virtual bool TryApply(string normalizedKey, string key, string value)
    {
        switch (normalizedKey)
        {
            case "bootstrapservers": BootstrapServers = ConfigValue.NonEmpty(key, value); return true;
            case "clientid": ClientId = ConfigValue.Optional(value); return true;
            case "clientrack": ClientRack = ConfigValue.Optional(value); return true;
            case "requesttimeoutms": RequestTimeoutMs = ConfigValue.Int(key, value, 0); return true;
            case "metadatamaxagems": MetadataMaxAgeMs = ConfigValue.Int(key, value, 0); return true;
            case "reconnectbackoffms": ReconnectBackoffMs = ConfigValue.Int(key, value, 0); return true;
            case "reconnectbackoffmaxms": ReconnectBackoffMaxMs = ConfigValue.Int(key, value, 0); return true;
            case "retrybackoffms": RetryBackoffMs = ConfigValue.Int(key, value, 0); return true;
            case "retrybackoffmaxms": RetryBackoffMaxMs = ConfigValue.Int(key, value, 0); return true;
            case "socketconnectionsetuptimeoutms": SocketConnectionSetupTimeoutMs = ConfigValue.Int(key, value, 0); return true;
            case "connectionsmaxidlems": ConnectionsMaxIdleMs = ConfigValue.Int(key, value, 0); return true;
            case "securityprotocol":
                if (!value.Trim().Equals("PLAINTEXT", StringComparison.OrdinalIgnoreCase))
                    throw new KafkaConfigException(key, $"'{value}' is not supported; only PLAINTEXT is.");
                return true;
            default: return false;
        }
    }
}
