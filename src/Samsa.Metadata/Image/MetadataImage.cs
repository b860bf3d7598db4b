using System.Collections.Immutable;
using Samsa.Metadata.Records;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Image;

/// <summary>
/// The whole cluster metadata at one log offset: features, brokers, topics and partitions, configs and
/// the producer id allocation. Immutable: a <see cref="MetadataDelta"/> applied to an image yields the next
/// one, and readers hold whichever image they read from <see cref="MetadataLoader.Current"/> (no locks).
/// </summary>
public sealed class MetadataImage
{
    public static readonly MetadataImage Empty = new(
        -1,
        ImmutableDictionary<string, short>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableSortedDictionary<int, BrokerRegistration>.Empty,
        ImmutableDictionary<Guid, TopicImage>.Empty,
        ImmutableDictionary<string, TopicImage>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<ConfigResource, ImmutableSortedDictionary<string, string>>.Empty,
        0);

    internal MetadataImage(
        long offset,
        ImmutableDictionary<string, short> features,
        ImmutableSortedDictionary<int, BrokerRegistration> brokers,
        ImmutableDictionary<Guid, TopicImage> topicsById,
        ImmutableDictionary<string, TopicImage> topicsByName,
        ImmutableDictionary<ConfigResource, ImmutableSortedDictionary<string, string>> configs,
        long nextProducerId)
    {
        Offset = offset;
        Features = features;
        Brokers = brokers;
        TopicsById = topicsById;
        TopicsByName = topicsByName;
        Configs = configs;
        NextProducerId = nextProducerId;
    }

    /// <summary>The log offset of the last batch this image includes; -1 for the empty image.</summary>
    public long Offset { get; }

    /// <summary>Finalized feature levels by name (e.g. <c>metadata.version</c>).</summary>
    public ImmutableDictionary<string, short> Features { get; }

    /// <summary>The finalized <c>metadata.version</c> level, 0 before bootstrap.</summary>
    public short MetadataVersion => Features.GetValueOrDefault(MetadataFeatures.MetadataVersion);

    /// <summary>Registered brokers by id.</summary>
    public ImmutableSortedDictionary<int, BrokerRegistration> Brokers { get; }

    public ImmutableDictionary<Guid, TopicImage> TopicsById { get; }

    public ImmutableDictionary<string, TopicImage> TopicsByName { get; }

    /// <summary>Dynamic configs (set through the config APIs) by resource; absent keys use defaults.</summary>
    public ImmutableDictionary<ConfigResource, ImmutableSortedDictionary<string, string>> Configs { get; }

    /// <summary>The first producer id of the next block the controller will hand out.</summary>
    public long NextProducerId { get; }

    public TopicImage? GetTopic(string name) => TopicsByName.GetValueOrDefault(name);

    public TopicImage? GetTopic(Guid topicId) => TopicsById.GetValueOrDefault(topicId);

    public PartitionRegistration? GetPartition(string topic, int partition)
        => TopicsByName.TryGetValue(topic, out var t) ? t.Partitions.GetValueOrDefault(partition) : null;

    public BrokerRegistration? GetBroker(int brokerId) => Brokers.GetValueOrDefault(brokerId);

    private static readonly ImmutableSortedDictionary<string, string> NoConfigs =
        ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Dynamic configs of <paramref name="resource"/> (empty when none are set). The same instance for
    /// the same configs, so a reference comparison between two images tells whether they changed.
    /// </summary>
    public ImmutableSortedDictionary<string, string> GetConfigs(ConfigResource resource)
        => Configs.GetValueOrDefault(resource) ?? NoConfigs;

    /// <summary>Brokers that are registered and not fenced, by id.</summary>
    public IEnumerable<BrokerRegistration> LiveBrokers()
    {
        foreach (var broker in Brokers.Values)
        {
            if (!broker.Fenced)
                yield return broker;
        }
    }

    /// <summary>
    /// The image as records, in the order a snapshot holds them: features first (a reader needs
    /// <c>metadata.version</c> before anything else), then brokers, topics with their partitions,
    /// configs and the producer id allocation. Enumerating is safe from any thread.
    /// </summary>
    public IEnumerable<MetadataRecord> ToRecords()
    {
        foreach (var (name, level) in Features.OrderBy(f => f.Key, StringComparer.Ordinal))
            yield return new MetadataRecord(new FeatureLevelRecord { Name = name, FeatureLevel = level }, 0);

        foreach (var broker in Brokers.Values)
            yield return RecordFactory.RegisterBroker(broker);

        foreach (var topic in TopicsById.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            yield return new MetadataRecord(new TopicRecord { Name = topic.Name, TopicId = topic.Id }, 0);
            foreach (var (id, p) in topic.Partitions)
                yield return RecordFactory.Partition(topic.Id, id, p);
        }

        foreach (var (resource, values) in Configs.OrderBy(c => c.Key.Type).ThenBy(c => c.Key.Name, StringComparer.Ordinal))
        {
            foreach (var (key, value) in values)
                yield return RecordFactory.Config(resource, key, value);
        }

        if (NextProducerId > 0)
            yield return new MetadataRecord(new ProducerIdsRecord { BrokerId = -1, BrokerEpoch = -1, NextProducerId = NextProducerId }, 0);
    }
}

/// <summary>Feature names and the levels this build supports.</summary>
public static class MetadataFeatures
{
    public const string MetadataVersion = "metadata.version";

    /// <summary>The <c>metadata.version</c> written at bootstrap: Kafka 3.9-IV0's level.</summary>
    public const short LatestMetadataVersion = 21;

    /// <summary>The lowest level a KRaft cluster uses (Kafka 3.3-IV0).</summary>
    public const short MinimumMetadataVersion = 4;
}
