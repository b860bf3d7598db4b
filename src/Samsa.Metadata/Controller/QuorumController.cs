using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Metadata.Image;
using Samsa.Metadata.Log;
using Samsa.Metadata.Records;
using Samsa.Protocol;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Controller;

/// <summary>
/// The active controller: validates metadata operations against the current image and turns them into
/// records appended to the metadata log. Operations run one at a time on one logical thread (a
/// channel-fed loop) and each waits until its records are applied, so the next one sees their effect:
/// concurrent creates of one topic name give exactly one winner. Results carry Kafka error codes per item;
/// on a node that is not the leader every item gets NOT_CONTROLLER.
/// </summary>
public sealed class QuorumController : IAsyncDisposable
{
    private static readonly Guid MetadataTopicId = new(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, bigEndian: true);

    private readonly IMetadataLog log;
    private readonly MetadataLoader loader;
    private readonly QuorumControllerOptions options;
    private readonly ILogger logger;
    private readonly Random random;
    private readonly Channel<Func<Task>> queue = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;
    private readonly CancellationTokenSource stopping = new();

    public QuorumController(IMetadataLog log, MetadataLoader loader, QuorumControllerOptions? options = null, ILogger<QuorumController>? logger = null)
    {
        this.log = log ?? throw new ArgumentNullException(nameof(log));
        this.loader = loader ?? throw new ArgumentNullException(nameof(loader));
        this.options = options ?? new QuorumControllerOptions();
        this.logger = logger ?? NullLogger<QuorumController>.Instance;
        random = this.options.Random ?? Random.Shared;
        Configs = new ConfigDescriber(this.options.NodeId, this.options.StaticBrokerConfig);
        loop = Task.Run(RunAsync);
    }

    /// <summary>Config descriptions and effective values on this node.</summary>
    public ConfigDescriber Configs { get; }

    /// <summary>The current image (lock-free).</summary>
    public MetadataImage Image => loader.Current;

    public bool IsActive => log.IsLeader;

    private async Task RunAsync()
    {
        await foreach (var work in queue.Reader.ReadAllAsync().ConfigureAwait(false))
            await work().ConfigureAwait(false);
    }

    private Task<T> Enqueue<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = async () =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
                return;
            }

            try
            {
                done.TrySetResult(await operation().ConfigureAwait(false));
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        };
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(work), this);
        return done.Task;
    }

    /// <summary>
    /// Appends <paramref name="records"/> (nothing when empty) and maps failures to one error code:
    /// NOT_CONTROLLER when leadership is missing or lost, UNKNOWN_SERVER_ERROR otherwise.
    /// </summary>
    private async Task<(ErrorCode Error, string? Message)> CommitAsync(List<MetadataRecord> records)
    {
        if (records.Count == 0)
            return (ErrorCode.None, null);
        try
        {
            await log.AppendAsync(records, stopping.Token).ConfigureAwait(false);
            return (ErrorCode.None, null);
        }
        catch (NotControllerException e)
        {
            return (ErrorCode.NotController, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Appending {Count} metadata records failed", records.Count);
            return (ErrorCode.UnknownServerError, e.Message);
        }
    }

    private string NotControllerMessage => $"Node {options.NodeId} is not the active controller (leader: {log.LeaderId})";

    // ---------------------------------------------------------------- bootstrap and brokers

    /// <summary>
    /// Writes the bootstrap records of a new cluster (<c>metadata.version</c>) when the log has none.
    /// Idempotent; the caller runs it when this node becomes leader.
    /// </summary>
    public Task<ErrorCode> BootstrapAsync(CancellationToken cancellationToken = default) => Enqueue(async () =>
    {
        if (!log.IsLeader)
            return ErrorCode.NotController;
        if (Image.MetadataVersion != 0)
            return ErrorCode.None;
        var (error, _) = await CommitAsync([new MetadataRecord(new FeatureLevelRecord
        {
            Name = MetadataFeatures.MetadataVersion,
            FeatureLevel = MetadataFeatures.LatestMetadataVersion,
        }, 0)]).ConfigureAwait(false);
        return error;
    }, cancellationToken);

    /// <summary>
    /// Registers (or re-registers) a broker and returns its broker epoch. The same incarnation id gets
    /// its existing epoch back. Brokers are registered unfenced: liveness by heartbeats comes with the
    /// multi-node quorum.
    /// </summary>
    public Task<(ErrorCode Error, long BrokerEpoch)> RegisterBrokerAsync(BrokerRegistrationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Enqueue<(ErrorCode, long)>(async () =>
        {
            if (!log.IsLeader)
                return (ErrorCode.NotController, -1);
            if (request.BrokerId < 0)
                return (ErrorCode.InvalidRegistration, -1);
            var existing = Image.GetBroker(request.BrokerId);
            if (existing is not null && existing.IncarnationId == request.IncarnationId && !existing.Fenced)
                return (ErrorCode.None, existing.Epoch);
            var epoch = Math.Max((existing?.Epoch ?? -1) + 1, Image.Offset + 1);
            var registration = new BrokerRegistration(request.BrokerId, epoch, request.IncarnationId, [.. request.Listeners], request.Rack,
                Fenced: false, InControlledShutdown: false,
                ImmutableDictionary<string, (short, short)>.Empty.Add(MetadataFeatures.MetadataVersion, (MetadataFeatures.MinimumMetadataVersion, MetadataFeatures.LatestMetadataVersion)));
            var (error, _) = await CommitAsync([RecordFactory.RegisterBroker(registration)]).ConfigureAwait(false);
            return (error, error == ErrorCode.None ? epoch : -1);
        }, cancellationToken);
    }

    // ---------------------------------------------------------------- topics

    public Task<IReadOnlyList<CreateTopicResult>> CreateTopicsAsync(IReadOnlyList<CreatableTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        return Enqueue<IReadOnlyList<CreateTopicResult>>(async () =>
        {
            if (!log.IsLeader)
                return topics.Select(t => new CreateTopicResult(t.Name, ErrorCode.NotController, NotControllerMessage)).ToList();

            var image = Image;
            var results = new CreateTopicResult[topics.Count];
            var records = new List<MetadataRecord>();
            var duplicates = topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            var pendingNames = new Dictionary<string, string>(StringComparer.Ordinal); // collision form -> name, within this request
            var pendingIds = new HashSet<Guid>();
            var created = new List<int>();
            for (var i = 0; i < topics.Count; i++)
            {
                var topic = topics[i];
                if (duplicates.Contains(topic.Name))
                {
                    results[i] = new CreateTopicResult(topic.Name, ErrorCode.InvalidRequest, $"Duplicate topic name {topic.Name} in the request");
                    continue;
                }

                results[i] = PlanTopic(image, topic, pendingNames, pendingIds, records);
                if (results[i].ErrorCode == ErrorCode.None)
                    created.Add(i);
            }

            if (validateOnly || created.Count == 0)
                return results;
            var (error, message) = await CommitAsync(records).ConfigureAwait(false);
            foreach (var i in created)
            {
                if (error != ErrorCode.None)
                    results[i] = new CreateTopicResult(results[i].Name, error, message);
                else
                    logger.LogInformation("Created topic {Topic} ({TopicId}) with {Partitions} partition(s), replication factor {Rf}",
                        results[i].Name, results[i].TopicId, results[i].NumPartitions, results[i].ReplicationFactor);
            }

            return results;
        }, cancellationToken);
    }

    private CreateTopicResult PlanTopic(MetadataImage image, CreatableTopic topic, Dictionary<string, string> pendingNames,
        HashSet<Guid> pendingIds, List<MetadataRecord> records)
    {
        var name = topic.Name;
        if (TopicNames.Validate(name) is { } nameError)
            return new CreateTopicResult(name ?? "", ErrorCode.InvalidTopicException, nameError);
        if (image.GetTopic(name) is not null || pendingNames.ContainsValue(name))
            return new CreateTopicResult(name, ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
        var collisionForm = TopicNames.CollisionForm(name);
        var collision = pendingNames.GetValueOrDefault(collisionForm)
            ?? image.TopicsByName.Keys.FirstOrDefault(existing => TopicNames.CollisionForm(existing) == collisionForm);
        if (collision is not null)
            return new CreateTopicResult(name, ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic: {collision}");
        if (TopicNames.HasCollisionChars(name))
            logger.LogWarning("Topic {Topic} has a '.' or '_': it could collide with a topic whose name differs only there", name);

        var live = image.LiveBrokers().Select(b => b.Id).ToList();
        List<ImmutableArray<int>> assignment;
        if (topic.Assignments is { Count: > 0 } manual)
        {
            if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
                return new CreateTopicResult(name, ErrorCode.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.");
            var manualError = ValidateManualAssignment(image, manual.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)).ToList(), 0, -1, out assignment);
            if (manualError is not null)
                return new CreateTopicResult(name, ErrorCode.InvalidReplicaAssignment, manualError);
        }
        else
        {
            var partitions = topic.NumPartitions == -1 ? options.DefaultNumPartitions : topic.NumPartitions;
            var rf = topic.ReplicationFactor == -1 ? options.DefaultReplicationFactor : topic.ReplicationFactor;
            if (partitions <= 0)
                return new CreateTopicResult(name, ErrorCode.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.");
            if (rf <= 0)
                return new CreateTopicResult(name, ErrorCode.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.");
            if (rf > live.Count)
                return new CreateTopicResult(name, ErrorCode.InvalidReplicationFactor,
                    $"Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {live.Count} broker(s) are registered.");
            assignment = PlaceReplicas(live, 0, partitions, rf);
        }

        var configRecords = new List<MetadataRecord>();
        if (topic.Configs is { } configs)
        {
            foreach (var (key, value) in configs)
            {
                if (TopicConfigs.Validate(key, value) is { } configError)
                    return new CreateTopicResult(name, ErrorCode.InvalidConfig, configError);
                configRecords.Add(RecordFactory.Config(ConfigResource.Topic(name), key, value!.Trim()));
            }
        }

        var topicId = NewTopicId(image, pendingIds);
        pendingIds.Add(topicId);
        pendingNames[collisionForm] = name;
        records.Add(new MetadataRecord(new TopicRecord { Name = name, TopicId = topicId }, 0));
        records.AddRange(configRecords);
        for (var p = 0; p < assignment.Count; p++)
            records.Add(RecordFactory.NewPartition(topicId, p, assignment[p]));
        return new CreateTopicResult(name, ErrorCode.None, null, topicId, assignment.Count, (short)assignment[0].Length);
    }

    /// <summary>
    /// Checks replica lists given by the client: partition ids continue from <paramref name="firstPartition"/>
    /// without gaps, every list is non-empty, has no duplicates, names registered brokers and (when
    /// <paramref name="replicationFactor"/> is not -1) has that length.
    /// </summary>
    private static string? ValidateManualAssignment(MetadataImage image, List<(int Partition, IReadOnlyList<int> Replicas)> manual,
        int firstPartition, int replicationFactor, out List<ImmutableArray<int>> assignment)
    {
        assignment = [];
        var expectedRf = replicationFactor;
        for (var i = 0; i < manual.Count; i++)
        {
            var (partition, replicas) = manual[i];
            if (partition != firstPartition + i)
                return $"Partitions should be a consecutive 0-based integer sequence, found partition {partition}";
            if (replicas is null || replicas.Count == 0)
                return $"Partition {partition} has an empty replica list";
            if (replicas.Distinct().Count() != replicas.Count)
                return $"Duplicate brokers not allowed in replica assignment: {string.Join(", ", replicas)} for partition id {partition}.";
            if (expectedRf == -1)
                expectedRf = replicas.Count;
            else if (replicas.Count != expectedRf)
                return $"The manual partition assignment includes a partition with {replicas.Count} replica(s), but this is not consistent with previous partitions, which have {expectedRf} replica(s).";
            foreach (var broker in replicas)
            {
                if (image.GetBroker(broker) is null)
                    return $"The manual partition assignment includes broker {broker}, but no such broker is registered.";
            }

            assignment.Add([.. replicas]);
        }

        return null;
    }

    /// <summary>Round-robin over the live brokers from a random start; each partition's followers are the next brokers.</summary>
    private List<ImmutableArray<int>> PlaceReplicas(List<int> liveBrokers, int firstPartition, int count, int replicationFactor)
    {
        liveBrokers.Sort();
        var start = random.Next(liveBrokers.Count);
        var result = new List<ImmutableArray<int>>(count);
        for (var p = firstPartition; p < firstPartition + count; p++)
        {
            var replicas = ImmutableArray.CreateBuilder<int>(replicationFactor);
            for (var r = 0; r < replicationFactor; r++)
                replicas.Add(liveBrokers[(start + p + r) % liveBrokers.Count]);
            result.Add(replicas.MoveToImmutable());
        }

        return result;
    }

    /// <summary>
    /// A random topic id that is not in use and not reserved (the zero uuid, the metadata topic's id), and
    /// whose base64 form does not start with '-' (Kafka avoids ids that look like command-line flags).
    /// </summary>
    private Guid NewTopicId(MetadataImage image, HashSet<Guid> pending)
    {
        Span<byte> bytes = stackalloc byte[16];
        while (true)
        {
            random.NextBytes(bytes);
            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4, like Java's UUID.randomUUID
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            var id = new Guid(bytes, bigEndian: true);
            if (id == Guid.Empty || id == MetadataTopicId || (bytes[0] >> 2) == 62 || image.TopicsById.ContainsKey(id) || pending.Contains(id))
                continue;
            return id;
        }
    }

    public Task<IReadOnlyList<DeleteTopicResult>> DeleteTopicsAsync(IReadOnlyList<TopicRef> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        return Enqueue<IReadOnlyList<DeleteTopicResult>>(async () =>
        {
            if (!log.IsLeader)
                return topics.Select(t => new DeleteTopicResult(t.Name, t.Id, ErrorCode.NotController, NotControllerMessage)).ToList();
            var image = Image;
            var results = new DeleteTopicResult[topics.Count];
            var records = new List<MetadataRecord>();
            var removed = new HashSet<Guid>();
            var deleting = new List<int>();
            for (var i = 0; i < topics.Count; i++)
            {
                var t = topics[i];
                var topic = t.Name is not null ? image.GetTopic(t.Name) : image.GetTopic(t.Id);
                if (topic is null)
                {
                    results[i] = t.Name is not null
                        ? new DeleteTopicResult(t.Name, Guid.Empty, ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.")
                        : new DeleteTopicResult(null, t.Id, ErrorCode.UnknownTopicId, "This server does not host this topic ID.");
                    continue;
                }

                if (!options.DeleteTopicEnable)
                {
                    results[i] = new DeleteTopicResult(topic.Name, topic.Id, ErrorCode.TopicDeletionDisabled, "Topic deletion is disabled.");
                    continue;
                }

                if (!removed.Add(topic.Id))
                {
                    results[i] = new DeleteTopicResult(topic.Name, topic.Id, ErrorCode.InvalidRequest, $"Duplicate topic {topic.Name} in the request");
                    continue;
                }

                records.Add(new MetadataRecord(new RemoveTopicRecord { TopicId = topic.Id }, 0));
                results[i] = new DeleteTopicResult(topic.Name, topic.Id, ErrorCode.None, null);
                deleting.Add(i);
            }

            var (error, message) = await CommitAsync(records).ConfigureAwait(false);
            foreach (var i in deleting)
            {
                if (error != ErrorCode.None)
                    results[i] = results[i] with { ErrorCode = error, ErrorMessage = message };
                else
                    logger.LogInformation("Deleted topic {Topic} ({TopicId})", results[i].Name, results[i].TopicId);
            }

            return results;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<CreatePartitionsResult>> CreatePartitionsAsync(IReadOnlyList<CreatePartitionsTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        return Enqueue<IReadOnlyList<CreatePartitionsResult>>(async () =>
        {
            if (!log.IsLeader)
                return topics.Select(t => new CreatePartitionsResult(t.Name, ErrorCode.NotController, NotControllerMessage)).ToList();
            var image = Image;
            var results = new CreatePartitionsResult[topics.Count];
            var records = new List<MetadataRecord>();
            var growing = new List<int>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < topics.Count; i++)
            {
                var request = topics[i];
                if (!seen.Add(request.Name))
                {
                    results[i] = new CreatePartitionsResult(request.Name, ErrorCode.InvalidRequest, "Duplicate topic name.");
                    continue;
                }

                results[i] = PlanPartitions(image, request, records);
                if (results[i].ErrorCode == ErrorCode.None)
                    growing.Add(i);
            }

            if (validateOnly || growing.Count == 0)
                return results;
            var (error, message) = await CommitAsync(records).ConfigureAwait(false);
            if (error != ErrorCode.None)
            {
                foreach (var i in growing)
                    results[i] = results[i] with { ErrorCode = error, ErrorMessage = message };
            }

            return results;
        }, cancellationToken);
    }

    private CreatePartitionsResult PlanPartitions(MetadataImage image, CreatePartitionsTopic request, List<MetadataRecord> records)
    {
        var topic = image.GetTopic(request.Name);
        if (topic is null)
            return new CreatePartitionsResult(request.Name, ErrorCode.UnknownTopicOrPartition, "This server does not host this topic-partition.");
        var current = topic.PartitionCount;
        if (request.Count < current)
            return new CreatePartitionsResult(request.Name, ErrorCode.InvalidPartitions,
                $"The topic {request.Name} currently has {current} partition(s); {request.Count} would not be an increase.");
        if (request.Count == current)
            return new CreatePartitionsResult(request.Name, ErrorCode.InvalidPartitions, $"Topic already has {current} partition(s).");

        var added = request.Count - current;
        var rf = topic.Partitions.Count > 0 ? topic.Partitions.Values.First().Replicas.Length : options.DefaultReplicationFactor;
        List<ImmutableArray<int>> assignment;
        if (request.Assignments is { } manual)
        {
            if (manual.Count != added)
                return new CreatePartitionsResult(request.Name, ErrorCode.InvalidReplicaAssignment,
                    $"Attempted to add {added} additional partition(s), but only {manual.Count} assignment(s) were specified.");
            var error = ValidateManualAssignment(image, manual.Select((r, i) => (current + i, r)).ToList(), current, rf, out assignment);
            if (error is not null)
                return new CreatePartitionsResult(request.Name, ErrorCode.InvalidReplicaAssignment, error);
        }
        else
        {
            var live = image.LiveBrokers().Select(b => b.Id).ToList();
            if (rf > live.Count)
                return new CreatePartitionsResult(request.Name, ErrorCode.InvalidReplicationFactor,
                    $"Unable to replicate the partition {rf} time(s): The target replication factor of {rf} cannot be reached because only {live.Count} broker(s) are registered.");
            assignment = PlaceReplicas(live, current, added, rf);
        }

        for (var i = 0; i < assignment.Count; i++)
            records.Add(RecordFactory.NewPartition(topic.Id, current + i, assignment[i]));
        return new CreatePartitionsResult(request.Name, ErrorCode.None, null);
    }

    // ---------------------------------------------------------------- configs

    /// <summary>IncrementalAlterConfigs: set / delete / append / subtract per key; each resource succeeds or fails whole.</summary>
    public Task<IReadOnlyList<AlterConfigsResult>> IncrementalAlterConfigsAsync(IReadOnlyList<IncrementalAlterConfigsResource> resources, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return AlterConfigsCoreAsync(resources.Select(r => (r.Resource, (Func<MetadataImage, (List<MetadataRecord>?, ErrorCode, string?)>)(image => PlanIncremental(image, r)))).ToList(), validateOnly, cancellationToken);
    }

    /// <summary>The legacy AlterConfigs: the given keys replace the resource's whole dynamic config.</summary>
    public Task<IReadOnlyList<AlterConfigsResult>> AlterConfigsAsync(IReadOnlyList<AlterConfigsResource> resources, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return AlterConfigsCoreAsync(resources.Select(r => (r.Resource, (Func<MetadataImage, (List<MetadataRecord>?, ErrorCode, string?)>)(image => PlanLegacy(image, r)))).ToList(), validateOnly, cancellationToken);
    }

    private Task<IReadOnlyList<AlterConfigsResult>> AlterConfigsCoreAsync(
        List<(ConfigResource Resource, Func<MetadataImage, (List<MetadataRecord>? Records, ErrorCode Error, string? Message)> Plan)> work,
        bool validateOnly, CancellationToken cancellationToken)
        => Enqueue<IReadOnlyList<AlterConfigsResult>>(async () =>
        {
            if (!log.IsLeader)
                return work.Select(w => new AlterConfigsResult(w.Resource, ErrorCode.NotController, NotControllerMessage)).ToList();
            var image = Image;
            var results = new AlterConfigsResult[work.Count];
            var records = new List<MetadataRecord>();
            var changing = new List<int>();
            for (var i = 0; i < work.Count; i++)
            {
                var (resourceRecords, error, message) = work[i].Plan(image);
                results[i] = new AlterConfigsResult(work[i].Resource, error, message);
                if (error == ErrorCode.None && resourceRecords is { Count: > 0 })
                {
                    records.AddRange(resourceRecords);
                    changing.Add(i);
                }
            }

            if (validateOnly || changing.Count == 0)
                return results;
            var (commitError, commitMessage) = await CommitAsync(records).ConfigureAwait(false);
            if (commitError != ErrorCode.None)
            {
                foreach (var i in changing)
                    results[i] = results[i] with { ErrorCode = commitError, ErrorMessage = commitMessage };
            }

            return results;
        }, cancellationToken);

    private (ErrorCode, string?) CheckResource(MetadataImage image, ConfigResource resource)
    {
        switch (resource.Type)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(resource.Name) is { } nameError)
                    return (ErrorCode.InvalidTopicException, nameError);
                return image.GetTopic(resource.Name) is null
                    ? (ErrorCode.UnknownTopicOrPartition, $"Topic {resource.Name} does not exist")
                    : (ErrorCode.None, null);
            case ConfigResourceType.Broker:
                if (resource.IsClusterDefault || int.TryParse(resource.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                    return (ErrorCode.None, null);
                return (ErrorCode.InvalidRequest, $"Broker id must be an integer or empty, got '{resource.Name}'");
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type {(sbyte)resource.Type} for altering configs");
        }
    }

    private static string? ValidateValue(ConfigResource resource, string name, string? value)
        => resource.Type == ConfigResourceType.Topic
            ? (value is null ? (TopicConfigs.Find(name) is null ? $"Unknown topic config name: {name}" : null) : TopicConfigs.Validate(name, value))
            : BrokerConfigs.ValidateDynamic(name, value);

    private static ConfigDefinition? Definition(ConfigResource resource, string name)
        => resource.Type == ConfigResourceType.Topic ? TopicConfigs.Find(name) : BrokerConfigs.Find(name);

    private (List<MetadataRecord>?, ErrorCode, string?) PlanIncremental(MetadataImage image, IncrementalAlterConfigsResource request)
    {
        var resource = request.Resource;
        var (resourceError, resourceMessage) = CheckResource(image, resource);
        if (resourceError != ErrorCode.None)
            return (null, resourceError, resourceMessage);
        var current = image.GetConfigs(resource);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var records = new List<MetadataRecord>();
        foreach (var change in request.Configs)
        {
            if (!seen.Add(change.Name))
                return (null, ErrorCode.InvalidRequest, $"Error due to duplicate config keys: {change.Name}");
            var def = Definition(resource, change.Name);
            string? newValue;
            switch (change.Op)
            {
                case AlterConfigOp.Set:
                    newValue = change.Value?.Trim();
                    if (newValue is null)
                        return (null, ErrorCode.InvalidConfig, $"Null value not supported for: {change.Name}");
                    break;
                case AlterConfigOp.Delete:
                    newValue = null;
                    break;
                case AlterConfigOp.Append or AlterConfigOp.Subtract:
                    if (def is null)
                        return (null, ErrorCode.InvalidConfig, $"Unknown config name: {change.Name}");
                    if (def.Type != ConfigType.List)
                        return (null, ErrorCode.InvalidConfig, $"Config value {(change.Op == AlterConfigOp.Append ? "append" : "subtract")} is not allowed for config key: {change.Name}");
                    var items = ListItems(current.GetValueOrDefault(change.Name) ?? CurrentDefault(image, resource, change.Name));
                    foreach (var item in ListItems(change.Value))
                    {
                        if (change.Op == AlterConfigOp.Append && !items.Contains(item))
                            items.Add(item);
                        else if (change.Op == AlterConfigOp.Subtract)
                            items.Remove(item);
                    }

                    newValue = string.Join(",", items);
                    break;
                default:
                    return (null, ErrorCode.InvalidRequest, $"Unknown alter config operation {(sbyte)change.Op}");
            }

            if (ValidateValue(resource, change.Name, newValue) is { } error)
                return (null, ErrorCode.InvalidConfig, error);
            if (newValue is null && !current.ContainsKey(change.Name))
                continue; // deleting a key that is not set changes nothing
            records.Add(RecordFactory.Config(resource, change.Name, newValue));
        }

        return (records, ErrorCode.None, null);
    }

    private (List<MetadataRecord>?, ErrorCode, string?) PlanLegacy(MetadataImage image, AlterConfigsResource request)
    {
        var resource = request.Resource;
        var (resourceError, resourceMessage) = CheckResource(image, resource);
        if (resourceError != ErrorCode.None)
            return (null, resourceError, resourceMessage);
        var records = new List<MetadataRecord>();
        foreach (var (name, value) in request.Configs)
        {
            if (value is null)
                return (null, ErrorCode.InvalidConfig, $"Null value not supported for: {name}");
            if (ValidateValue(resource, name, value) is { } error)
                return (null, ErrorCode.InvalidConfig, error);
            records.Add(RecordFactory.Config(resource, name, value.Trim()));
        }

        foreach (var existing in image.GetConfigs(resource).Keys)
        {
            if (!request.Configs.ContainsKey(existing))
                records.Add(RecordFactory.Config(resource, existing, null));
        }

        return (records, ErrorCode.None, null);
    }

    private string? CurrentDefault(MetadataImage image, ConfigResource resource, string name)
    {
        if (resource.Type == ConfigResourceType.Topic)
            return Configs.ResolveTopicConfig(image, resource.Name).GetValueOrDefault(name);
        return resource.IsClusterDefault ? BrokerConfigs.Find(name)?.DefaultValue : Configs.ResolveBrokerConfig(image, name);
    }

    private static List<string> ListItems(string? value)
        => value is null ? [] : [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    // ---------------------------------------------------------------- producer ids

    /// <summary>
    /// Hands out the next block of <see cref="ProducerIdBlock.DefaultSize"/> producer ids to a broker
    /// (a ProducerIdsRecord). Blocks never overlap, across restarts too.
    /// </summary>
    public Task<(ErrorCode Error, ProducerIdBlock Block)> AllocateProducerIdsAsync(int brokerId, long brokerEpoch, CancellationToken cancellationToken = default)
        => Enqueue<(ErrorCode, ProducerIdBlock)>(async () =>
        {
            if (!log.IsLeader)
                return (ErrorCode.NotController, default);
            var image = Image;
            var broker = image.GetBroker(brokerId);
            if (broker is null)
                return (ErrorCode.BrokerIdNotRegistered, default);
            if (brokerEpoch >= 0 && broker.Epoch != brokerEpoch)
                return (ErrorCode.StaleBrokerEpoch, default);
            var first = image.NextProducerId;
            if (first > long.MaxValue - ProducerIdBlock.DefaultSize)
                return (ErrorCode.UnknownServerError, default);
            var block = new ProducerIdBlock(brokerId, first, ProducerIdBlock.DefaultSize);
            var (error, _) = await CommitAsync([new MetadataRecord(new ProducerIdsRecord
            {
                BrokerId = brokerId,
                BrokerEpoch = broker.Epoch,
                NextProducerId = block.NextBlockFirstId,
            }, 0)]).ConfigureAwait(false);
            return error == ErrorCode.None ? (ErrorCode.None, block) : (error, default);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        stopping.Dispose();
    }
}
