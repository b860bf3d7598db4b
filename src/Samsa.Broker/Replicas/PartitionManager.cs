using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Storage;

namespace Samsa.Broker.Replicas;

/// <summary>
/// Keeps the hosted partitions in step with the metadata image: a partition with a replica on this
/// broker gets its log opened (created on first sight) and its leadership applied; a partition moved
/// away or a deleted topic loses its log; a changed topic config reaches the log. Runs on the image's
/// apply thread, right after each new image, so a topic is hosted as soon as the image shows it.
/// Thread-safety: reconciliation is serialised by one lock.
/// </summary>
public sealed class PartitionManager : IDisposable
{
    private readonly ReplicaManager _replicaManager;
    private readonly ConfigDescriber _configs;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private MetadataLoader? _loader;
    private long _topicsApplied;

    public PartitionManager(ReplicaManager replicaManager, ConfigDescriber configs, ILogger<PartitionManager>? logger = null)
    {
        _replicaManager = replicaManager;
        _configs = configs;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Applies the current image, then follows every later one.</summary>
    public void Start(MetadataLoader loader)
    {
        _loader = loader;
        loader.ImageChanged += OnImageChanged;
        Reconcile(MetadataImage.Empty, loader.Current, full: true);
    }

    private void OnImageChanged(object? sender, MetadataImageChangedEventArgs e) => Reconcile(e.Previous, e.Image, e.IsSnapshot);

    /// <summary>Brings the hosted partitions to what <paramref name="image"/> says.</summary>
    public void Reconcile(MetadataImage previous, MetadataImage image, bool full)
    {
        lock (_gate)
        {
            bool brokerConfigsChanged = full
                || !ReferenceEquals(previous.GetConfigs(ConfigResource.ClusterDefault), image.GetConfigs(ConfigResource.ClusterDefault))
                || !ReferenceEquals(previous.GetConfigs(ConfigResource.Broker(_replicaManager.LocalBrokerId)), image.GetConfigs(ConfigResource.Broker(_replicaManager.LocalBrokerId)));
            // Deletions first: a topic deleted and created again under the same name needs its old logs gone.
            foreach (Partition hosted in _replicaManager.Partitions)
            {
                if (image.GetTopic(hosted.TopicId) is null)
                {
                    _replicaManager.RemoveTopic(hosted.Topic, hosted.TopicId);
                    _logger.LogInformation("Topic {Topic} was deleted: its partitions' logs are removed", hosted.Topic);
                }
            }
            foreach (TopicImage topic in image.TopicsById.Values)
            {
                ConfigResource resource = ConfigResource.Topic(topic.Name);
                bool unchanged = !brokerConfigsChanged
                    && ReferenceEquals(previous.GetTopic(topic.Id), topic)
                    && ReferenceEquals(previous.GetConfigs(resource), image.GetConfigs(resource));
                if (!unchanged)
                {
                    ApplyTopic(image, topic);
                }
            }
        }
    }

    /// <summary>How many times a topic's partitions were (re)applied from an image (diagnostics, tests).</summary>
    internal long TopicsApplied => Interlocked.Read(ref _topicsApplied);

    private void ApplyTopic(MetadataImage image, TopicImage topic)
    {
        Interlocked.Increment(ref _topicsApplied);
        int localId = _replicaManager.LocalBrokerId;
        _replicaManager.UpdateTopic(topic.Name, topic.Id, topic.PartitionCount);
        LogConfig config = LogConfigFor(image, topic.Name);
        foreach ((int index, PartitionRegistration reg) in topic.Partitions)
        {
            if (reg.IsReplica(localId))
            {
                try
                {
                    _replicaManager.ApplyPartition(topic.Name, topic.Id, index,
                        new PartitionLeadership(reg.Leader, reg.LeaderEpoch, reg.Replicas, reg.Isr), config);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or KafkaStorageException)
                {
                    _logger.LogError(e, "{Topic}-{Partition}: cannot open its log", topic.Name, index);
                }
            }
            else if (_replicaManager.GetPartition(new TopicPartition(topic.Name, index)) is not null)
            {
                _replicaManager.StopReplica(topic.Name, index, deleteLog: true);
            }
        }
    }

    /// <summary>The effective topic configs (topic overrides, then dynamic and static broker defaults) as a log config.</summary>
    public LogConfig LogConfigFor(MetadataImage image, string topic)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach ((string key, string? value) in _configs.ResolveTopicConfig(image, topic))
        {
            if (value is not null)
            {
                values.Add(new KeyValuePair<string, string>(key, value));
            }
        }
        try
        {
            return LogConfig.FromProperties(values);
        }
        catch (ArgumentException e)
        {
            _logger.LogError("{Topic}: {Message}; the topic keeps the default log configs", topic, e.Message);
            return LogConfig.Default;
        }
    }

    public void Dispose()
    {
        if (_loader is { } loader)
        {
            loader.ImageChanged -= OnImageChanged;
        }
    }
}
