using System.Collections.Immutable;
using Samsa.Metadata.Records;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Image;

/// <summary>
/// Changes to a <see cref="MetadataImage"/>: records are replayed into it, then <see cref="Apply"/> yields
/// the next image. It also remembers what changed (created/deleted topics, changed partitions, brokers,
/// configs) so subscribers can react without diffing whole images. Single-threaded; used once.
/// </summary>
public sealed class MetadataDelta
{
    private readonly ImmutableDictionary<string, short>.Builder features;
    private readonly ImmutableSortedDictionary<int, BrokerRegistration>.Builder brokers;
    private readonly ImmutableDictionary<Guid, TopicImage>.Builder topicsById;
    private readonly ImmutableDictionary<string, TopicImage>.Builder topicsByName;
    private readonly ImmutableDictionary<ConfigResource, ImmutableSortedDictionary<string, string>>.Builder configs;
    private long nextProducerId;
    private MetadataImage? applied;

    public MetadataDelta(MetadataImage previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        Previous = previous;
        features = previous.Features.ToBuilder();
        brokers = previous.Brokers.ToBuilder();
        topicsById = previous.TopicsById.ToBuilder();
        topicsByName = previous.TopicsByName.ToBuilder();
        configs = previous.Configs.ToBuilder();
        nextProducerId = previous.NextProducerId;
    }

    /// <summary>The image this delta started from.</summary>
    public MetadataImage Previous { get; }

    /// <summary>Topics created by this delta (by id).</summary>
    public HashSet<Guid> CreatedTopicIds { get; } = [];

    /// <summary>Topics deleted by this delta, as they were in <see cref="Previous"/>.</summary>
    public Dictionary<Guid, TopicImage> DeletedTopics { get; } = [];

    /// <summary>Partitions created or changed, by topic id (topics deleted later in the delta are left out).</summary>
    public Dictionary<Guid, HashSet<int>> ChangedPartitions { get; } = [];

    public HashSet<int> ChangedBrokers { get; } = [];

    public HashSet<ConfigResource> ChangedConfigs { get; } = [];

    public bool FeaturesChanged { get; private set; }

    public bool ProducerIdsChanged { get; private set; }

    /// <summary>True when nothing was replayed that changes the image.</summary>
    public bool IsEmpty => CreatedTopicIds.Count == 0 && DeletedTopics.Count == 0 && ChangedPartitions.Count == 0
        && ChangedBrokers.Count == 0 && ChangedConfigs.Count == 0 && !FeaturesChanged && !ProducerIdsChanged;

    public void Replay(IEnumerable<MetadataRecord> records)
    {
        foreach (var record in records)
            Replay(record);
    }

    /// <summary>Applies one record to the delta.</summary>
    /// <exception cref="InvalidOperationException">The record contradicts the image (e.g. a partition of an unknown topic).</exception>
    public void Replay(MetadataRecord record)
    {
        if (applied is not null)
            throw new InvalidOperationException("The delta was already applied");
        switch (record.Message)
        {
            case TopicRecord r: ReplayTopic(r); break;
            case PartitionRecord r: ReplayPartition(r); break;
            case PartitionChangeRecord r: ReplayPartitionChange(r); break;
            case RemoveTopicRecord r: ReplayRemoveTopic(r); break;
            case ConfigRecord r: ReplayConfig(r); break;
            case RegisterBrokerRecord r: ReplayRegisterBroker(r); break;
            case UnregisterBrokerRecord r:
                brokers.Remove(r.BrokerId);
                ChangedBrokers.Add(r.BrokerId);
                break;
            case FenceBrokerRecord r: UpdateBroker(r.Id, b => b with { Fenced = true }); break;
            case UnfenceBrokerRecord r: UpdateBroker(r.Id, b => b with { Fenced = false }); break;
            case BrokerRegistrationChangeRecord r:
                UpdateBroker(r.BrokerId, b => b with
                {
                    Epoch = r.BrokerEpoch,
                    Fenced = r.Fenced switch { 1 => true, -1 => false, _ => b.Fenced },
                    InControlledShutdown = r.InControlledShutdown == 1 || b.InControlledShutdown,
                });
                break;
            case FeatureLevelRecord r:
                if (r.FeatureLevel == 0)
                    features.Remove(r.Name);
                else
                    features[r.Name] = r.FeatureLevel;
                FeaturesChanged = true;
                break;
            case ProducerIdsRecord r:
                if (r.NextProducerId < nextProducerId)
                    throw new InvalidOperationException($"Producer id block {r.NextProducerId} goes back (next is {nextProducerId})");
                nextProducerId = r.NextProducerId;
                ProducerIdsChanged = true;
                break;
            default:
                // NoOpRecord and record types this build does not use change nothing.
                break;
        }
    }

    private void ReplayTopic(TopicRecord r)
    {
        if (topicsByName.ContainsKey(r.Name) || topicsById.ContainsKey(r.TopicId))
            throw new InvalidOperationException($"Topic {r.Name} ({r.TopicId}) already exists");
        var topic = new TopicImage(r.Name, r.TopicId, ImmutableSortedDictionary<int, PartitionRegistration>.Empty);
        topicsById[r.TopicId] = topic;
        topicsByName[r.Name] = topic;
        CreatedTopicIds.Add(r.TopicId);
    }

    private void ReplayPartition(PartitionRecord r)
    {
        var topic = RequireTopic(r.TopicId);
        var partition = new PartitionRegistration(
            [.. r.Replicas], [.. r.Isr], [.. r.RemovingReplicas], [.. r.AddingReplicas],
            r.Leader, r.LeaderEpoch, r.PartitionEpoch, r.LeaderRecoveryState);
        SetPartition(topic, r.PartitionId, partition);
    }

    private void ReplayPartitionChange(PartitionChangeRecord r)
    {
        var topic = RequireTopic(r.TopicId);
        var p = topic.Partitions.GetValueOrDefault(r.PartitionId)
            ?? throw new InvalidOperationException($"Partition {r.PartitionId} of topic {r.TopicId} does not exist");
        var leaderChanged = r.Leader != -2;
        p = p with
        {
            Isr = r.Isr is null ? p.Isr : [.. r.Isr],
            Replicas = r.Replicas is null ? p.Replicas : [.. r.Replicas],
            RemovingReplicas = r.RemovingReplicas is null ? p.RemovingReplicas : [.. r.RemovingReplicas],
            AddingReplicas = r.AddingReplicas is null ? p.AddingReplicas : [.. r.AddingReplicas],
            Leader = leaderChanged ? r.Leader : p.Leader,
            // As in Kafka: a record that names a leader (even the same one) starts a new leader epoch.
            LeaderEpoch = leaderChanged ? p.LeaderEpoch + 1 : p.LeaderEpoch,
            LeaderRecoveryState = r.LeaderRecoveryState == -1 ? p.LeaderRecoveryState : r.LeaderRecoveryState,
            PartitionEpoch = p.PartitionEpoch + 1,
        };
        SetPartition(topic, r.PartitionId, p);
    }

    private void SetPartition(TopicImage topic, int partitionId, PartitionRegistration partition)
    {
        if (partitionId < 0)
            throw new InvalidOperationException($"Partition id {partitionId} is negative");
        var updated = topic with { Partitions = topic.Partitions.SetItem(partitionId, partition) };
        topicsById[topic.Id] = updated;
        topicsByName[topic.Name] = updated;
        if (!ChangedPartitions.TryGetValue(topic.Id, out var set))
            ChangedPartitions[topic.Id] = set = [];
        set.Add(partitionId);
    }

    private void ReplayRemoveTopic(RemoveTopicRecord r)
    {
        var topic = RequireTopic(r.TopicId);
        topicsById.Remove(topic.Id);
        topicsByName.Remove(topic.Name);
        ChangedPartitions.Remove(topic.Id);
        if (!CreatedTopicIds.Remove(topic.Id))
            DeletedTopics[topic.Id] = Previous.TopicsById[topic.Id];
        // A deleted topic's configs go with it, so a new topic of the same name starts from defaults.
        var resource = ConfigResource.Topic(topic.Name);
        if (configs.Remove(resource))
            ChangedConfigs.Add(resource);
    }

    private void ReplayConfig(ConfigRecord r)
    {
        var resource = new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName);
        var values = configs.GetValueOrDefault(resource) ?? ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        values = r.Value is null ? values.Remove(r.Name) : values.SetItem(r.Name, r.Value);
        if (values.IsEmpty)
            configs.Remove(resource);
        else
            configs[resource] = values;
        ChangedConfigs.Add(resource);
    }

    private void ReplayRegisterBroker(RegisterBrokerRecord r)
    {
        var listeners = ImmutableArray.CreateBuilder<BrokerEndpoint>(r.EndPoints.Count);
        foreach (var e in r.EndPoints)
            listeners.Add(new BrokerEndpoint(e.Name, e.Host, e.Port, e.SecurityProtocol));
        var supported = ImmutableDictionary.CreateBuilder<string, (short, short)>(StringComparer.Ordinal);
        foreach (var f in r.Features)
            supported[f.Name] = (f.MinSupportedVersion, f.MaxSupportedVersion);
        brokers[r.BrokerId] = new BrokerRegistration(
            r.BrokerId, r.BrokerEpoch, r.IncarnationId, listeners.ToImmutable(), r.Rack, r.Fenced,
            r.InControlledShutdown, supported.ToImmutable());
        ChangedBrokers.Add(r.BrokerId);
    }

    private void UpdateBroker(int brokerId, Func<BrokerRegistration, BrokerRegistration> change)
    {
        var broker = brokers.GetValueOrDefault(brokerId)
            ?? throw new InvalidOperationException($"Broker {brokerId} is not registered");
        brokers[brokerId] = change(broker);
        ChangedBrokers.Add(brokerId);
    }

    private TopicImage RequireTopic(Guid topicId)
        => topicsById.GetValueOrDefault(topicId) ?? throw new InvalidOperationException($"Topic id {topicId} does not exist");

    /// <summary>The image after every replayed record; <paramref name="offset"/> becomes its <see cref="MetadataImage.Offset"/>.</summary>
    public MetadataImage Apply(long offset)
    {
        applied ??= new MetadataImage(
            offset, features.ToImmutable(), brokers.ToImmutable(), topicsById.ToImmutable(),
            topicsByName.ToImmutable(), configs.ToImmutable(), nextProducerId);
        return applied;
    }

    /// <summary>
    /// What this delta means for the replicas hosted by <paramref name="brokerId"/>: partitions it now
    /// leads, partitions it follows, and partitions it no longer hosts (deleted topics included).
    /// Call after <see cref="Apply"/>.
    /// </summary>
    public LocalReplicaChanges GetLocalChanges(int brokerId)
    {
        var image = applied ?? throw new InvalidOperationException("Apply the delta first");
        var leaders = new List<LocalReplica>();
        var followers = new List<LocalReplica>();
        var deleted = new List<LocalReplica>();
        foreach (var (topicId, topic) in DeletedTopics)
        {
            foreach (var (id, p) in topic.Partitions)
            {
                if (p.IsReplica(brokerId))
                    deleted.Add(new LocalReplica(topic.Name, topicId, id, p));
            }
        }

        foreach (var (topicId, partitions) in ChangedPartitions)
        {
            var topic = image.TopicsById[topicId];
            var before = Previous.GetTopic(topicId);
            foreach (var id in partitions)
            {
                var p = topic.Partitions[id];
                if (p.IsReplica(brokerId))
                    (p.Leader == brokerId ? leaders : followers).Add(new LocalReplica(topic.Name, topicId, id, p));
                else if (before?.Partitions.GetValueOrDefault(id) is { } old && old.IsReplica(brokerId))
                    deleted.Add(new LocalReplica(topic.Name, topicId, id, old));
            }
        }

        return new LocalReplicaChanges(leaders, followers, deleted);
    }
}

/// <summary>One partition replica on a broker.</summary>
public sealed record LocalReplica(string Topic, Guid TopicId, int Partition, PartitionRegistration State);

/// <summary>How a delta changes the partitions a broker hosts.</summary>
public sealed record LocalReplicaChanges(
    IReadOnlyList<LocalReplica> Leaders,
    IReadOnlyList<LocalReplica> Followers,
    IReadOnlyList<LocalReplica> Deleted)
{
    public bool IsEmpty => Leaders.Count == 0 && Followers.Count == 0 && Deleted.Count == 0;
}
