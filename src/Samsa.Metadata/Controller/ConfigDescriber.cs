using System.Globalization;
using Samsa.Metadata.Image;
using Samsa.Protocol;

namespace Samsa.Metadata.Controller;

/// <summary>Where a config value comes from (Kafka's DescribeConfigs <c>ConfigSource</c>).</summary>
public enum ConfigSource : sbyte
{
    Unknown = 0,
    DynamicTopicConfig = 1,
    DynamicBrokerConfig = 2,
    DynamicDefaultBrokerConfig = 3,
    StaticBrokerConfig = 4,
    DefaultConfig = 5,
    DynamicBrokerLoggerConfig = 6,
}

/// <summary>One candidate value of a config, in precedence order (DescribeConfigs synonyms).</summary>
public sealed record ConfigSynonym(string Name, string? Value, ConfigSource Source);

/// <summary>A described config. <see cref="Value"/> is null for sensitive configs and for keys without a value.</summary>
public sealed record DescribedConfig(
    string Name,
    string? Value,
    ConfigSource Source,
    ConfigType Type,
    bool IsReadOnly,
    bool IsSensitive,
    IReadOnlyList<ConfigSynonym> Synonyms)
{
    public bool IsDefault => Source == ConfigSource.DefaultConfig;
}

/// <summary>The answer for one resource of DescribeConfigs.</summary>
public sealed record DescribeConfigsResult(ErrorCode ErrorCode, string? ErrorMessage, IReadOnlyList<DescribedConfig> Configs);

/// <summary>
/// Resolves config values on one broker, as Kafka does: a topic's own dynamic value, else the broker
/// synonyms (this broker's dynamic value, the cluster-wide dynamic default, server.properties), else
/// the built-in default. Pure reads of an image; thread-safe.
/// </summary>
public sealed class ConfigDescriber
{
    private readonly IReadOnlyDictionary<string, string> staticConfig;

    /// <param name="brokerId">The broker answering (its own broker resource is the only one it describes).</param>
    /// <param name="staticBrokerConfig">Values set in server.properties / overrides (source STATIC_BROKER_CONFIG).</param>
    public ConfigDescriber(int brokerId, IReadOnlyDictionary<string, string>? staticBrokerConfig = null)
    {
        BrokerId = brokerId;
        staticConfig = staticBrokerConfig ?? new Dictionary<string, string>();
    }

    public int BrokerId { get; }

    /// <summary>Describes <paramref name="resource"/>; <paramref name="keys"/> null means every key.</summary>
    public DescribeConfigsResult Describe(MetadataImage image, ConfigResource resource, IReadOnlyCollection<string>? keys = null)
    {
        switch (resource.Type)
        {
            case ConfigResourceType.Topic:
                if (image.GetTopic(resource.Name) is null)
                    return new DescribeConfigsResult(ErrorCode.UnknownTopicOrPartition, $"Topic {resource.Name} does not exist", []);
                var topicConfigs = new List<DescribedConfig>();
                foreach (var def in TopicConfigs.Definitions)
                {
                    if (keys is null || keys.Contains(def.Name))
                        topicConfigs.Add(DescribeTopicKey(image, resource.Name, def));
                }

                return new DescribeConfigsResult(ErrorCode.None, null, topicConfigs);

            case ConfigResourceType.Broker when resource.IsClusterDefault:
                var defaults = new List<DescribedConfig>();
                foreach (var (name, value) in image.GetConfigs(ConfigResource.ClusterDefault))
                {
                    if (keys is not null && !keys.Contains(name))
                        continue;
                    var def = BrokerConfigs.Find(name);
                    defaults.Add(new DescribedConfig(name, def?.IsSensitive == true ? null : value, ConfigSource.DynamicDefaultBrokerConfig,
                        def?.Type ?? ConfigType.Unknown, false, def?.IsSensitive ?? false,
                        [new ConfigSynonym(name, value, ConfigSource.DynamicDefaultBrokerConfig)]));
                }

                return new DescribeConfigsResult(ErrorCode.None, null, defaults);

            case ConfigResourceType.Broker:
                if (!int.TryParse(resource.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    return new DescribeConfigsResult(ErrorCode.InvalidRequest, $"Broker id must be an integer, got '{resource.Name}'", []);
                if (id != BrokerId)
                    return new DescribeConfigsResult(ErrorCode.InvalidRequest, $"Unexpected broker id, expected {BrokerId} but received {id}", []);
                var brokerConfigs = new List<DescribedConfig>();
                var names = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var def in BrokerConfigs.Definitions)
                    names.Add(def.Name);
                foreach (var name in staticConfig.Keys)
                    names.Add(name);
                foreach (var name in image.GetConfigs(resource).Keys)
                    names.Add(name);
                foreach (var name in names)
                {
                    if (keys is null || keys.Contains(name))
                        brokerConfigs.Add(DescribeBrokerKey(image, name));
                }

                return new DescribeConfigsResult(ErrorCode.None, null, brokerConfigs);

            default:
                return new DescribeConfigsResult(ErrorCode.InvalidRequest, $"Unsupported resource type {(sbyte)resource.Type}", []);
        }
    }

    /// <summary>
    /// The configs a topic created with <paramref name="topicConfigs"/> gets (CreateTopics v5+ returns
    /// them, validate_only included): each given key as DYNAMIC_TOPIC_CONFIG, the rest resolved as usual.
    /// </summary>
    public IReadOnlyList<DescribedConfig> DescribeNewTopic(MetadataImage image, IReadOnlyDictionary<string, string?>? topicConfigs)
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        if (topicConfigs is not null)
        {
            foreach (var (key, value) in topicConfigs)
            {
                if (value is not null)
                    own[key] = value.Trim();
            }
        }

        var result = new List<DescribedConfig>(TopicConfigs.Definitions.Count);
        foreach (var def in TopicConfigs.Definitions)
            result.Add(DescribeTopicKey(image, own, def));
        return result;
    }

    /// <summary>Every topic config of <paramref name="topic"/> with its effective value (what the log of that topic should use).</summary>
    public IReadOnlyDictionary<string, string?> ResolveTopicConfig(MetadataImage image, string topic)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var def in TopicConfigs.Definitions)
            result[def.Name] = DescribeTopicKey(image, topic, def).Value;
        return result;
    }

    /// <summary>The effective value of broker config <paramref name="name"/> on this broker, or null when unset.</summary>
    public string? ResolveBrokerConfig(MetadataImage image, string name)
    {
        var chain = BrokerChain(image, name);
        if (chain.Count > 0)
            return chain[0].Value;
        return BrokerConfigs.Find(name)?.DefaultValue;
    }

    private DescribedConfig DescribeTopicKey(MetadataImage image, string topic, ConfigDefinition def)
        => DescribeTopicKey(image, image.GetConfigs(ConfigResource.Topic(topic)), def);

    private DescribedConfig DescribeTopicKey(MetadataImage image, IReadOnlyDictionary<string, string> topicConfigs, ConfigDefinition def)
    {
        var synonyms = new List<ConfigSynonym>();
        if (topicConfigs.TryGetValue(def.Name, out var own))
            synonyms.Add(new ConfigSynonym(def.Name, own, ConfigSource.DynamicTopicConfig));
        foreach (var synonym in def.Synonyms)
        {
            foreach (var s in BrokerChain(image, synonym.Name))
                synonyms.Add(s with { Value = Scale(s.Value, synonym.Scale) });
        }

        if (def.DefaultValue is not null)
            synonyms.Add(new ConfigSynonym(def.Name, def.DefaultValue, ConfigSource.DefaultConfig));
        var winner = synonyms.Count > 0 ? synonyms[0] : new ConfigSynonym(def.Name, null, ConfigSource.DefaultConfig);
        // Synonyms carry the broker key's own (unscaled) value, as Kafka reports them.
        return new DescribedConfig(def.Name, def.IsSensitive ? null : winner.Value, winner.Source, def.Type, def.IsReadOnly, def.IsSensitive,
            synonyms.ConvertAll(s => s.Source is ConfigSource.DynamicTopicConfig or ConfigSource.DefaultConfig ? s : s with { Value = RawBrokerValue(image, s) }));
    }

    private DescribedConfig DescribeBrokerKey(MetadataImage image, string name)
    {
        var def = BrokerConfigs.Find(name);
        var synonyms = BrokerChain(image, name);
        if (def?.DefaultValue is not null)
            synonyms.Add(new ConfigSynonym(name, def.DefaultValue, ConfigSource.DefaultConfig));
        var winner = synonyms.Count > 0 ? synonyms[0] : new ConfigSynonym(name, null, ConfigSource.DefaultConfig);
        var sensitive = def?.IsSensitive ?? name.Contains("password", StringComparison.OrdinalIgnoreCase);
        return new DescribedConfig(name, sensitive ? null : winner.Value, winner.Source, def?.Type ?? ConfigType.Unknown,
            def?.IsReadOnly ?? true, sensitive, synonyms);
    }

    /// <summary>The set values of broker key <paramref name="name"/>, most specific first (no built-in default).</summary>
    private List<ConfigSynonym> BrokerChain(MetadataImage image, string name)
    {
        var chain = new List<ConfigSynonym>(3);
        if (image.GetConfigs(ConfigResource.Broker(BrokerId)).TryGetValue(name, out var perBroker))
            chain.Add(new ConfigSynonym(name, perBroker, ConfigSource.DynamicBrokerConfig));
        if (image.GetConfigs(ConfigResource.ClusterDefault).TryGetValue(name, out var clusterDefault))
            chain.Add(new ConfigSynonym(name, clusterDefault, ConfigSource.DynamicDefaultBrokerConfig));
        if (staticConfig.TryGetValue(name, out var fromFile))
            chain.Add(new ConfigSynonym(name, fromFile, ConfigSource.StaticBrokerConfig));
        return chain;
    }

    private string? RawBrokerValue(MetadataImage image, ConfigSynonym s) => s.Source switch
    {
        ConfigSource.DynamicBrokerConfig => image.GetConfigs(ConfigResource.Broker(BrokerId)).GetValueOrDefault(s.Name),
        ConfigSource.DynamicDefaultBrokerConfig => image.GetConfigs(ConfigResource.ClusterDefault).GetValueOrDefault(s.Name),
        ConfigSource.StaticBrokerConfig => staticConfig.GetValueOrDefault(s.Name),
        _ => s.Value,
    };

    private static string? Scale(string? value, long scale)
    {
        if (scale == 1 || value is null || !long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            return value;
        return (n < 0 ? n : checked(n * scale)).ToString(CultureInfo.InvariantCulture);
    }
}
