namespace Samsa.Metadata.Image;

/// <summary>Kafka's config resource types (the int8 <c>ResourceType</c> of ConfigRecord and of the config APIs).</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}

/// <summary>
/// A resource that carries configs. A broker resource with an empty name is the cluster-wide
/// default of every broker (Kafka's "default broker" entity).
/// </summary>
public readonly record struct ConfigResource(ConfigResourceType Type, string Name)
{
    public static ConfigResource Topic(string name) => new(ConfigResourceType.Topic, name);

    public static ConfigResource Broker(int brokerId) => new(ConfigResourceType.Broker, brokerId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The cluster-wide broker default (<c>--entity-default</c> for brokers).</summary>
    public static ConfigResource ClusterDefault => new(ConfigResourceType.Broker, "");

    public bool IsClusterDefault => Type == ConfigResourceType.Broker && Name.Length == 0;
}
