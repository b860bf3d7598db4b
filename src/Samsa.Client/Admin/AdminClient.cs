using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Consumer;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client;

/// <summary>
/// Manages topics, configs, consumer groups and offsets. Every call is bounded by
/// default.api.timeout.ms (or the caller's token) and retries errors that a retry can fix
/// (leader or controller moved, coordinator loading, disconnects).
/// </summary>
public sealed class AdminClient : IDisposable, IAsyncDisposable
{
    private readonly AdminConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public AdminClient(AdminConfig config, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Samsa.Client.Admin") ?? NullLogger.Instance;
        config.WarnUnknownKeys(_logger);
        _cluster = new KafkaCluster(config, config.ResolveClientId("admin"), _logger, _time);
    }

    // ---- cluster and topics -------------------------------------------------------------------

    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var metadata = await _cluster.RefreshMetadataAsync(true, timeout.Token, allowAutoCreate: false).ConfigureAwait(false);
        return new ClusterDescription(metadata.ClusterId, metadata.ControllerId, metadata.Brokers.Values.OrderBy(b => b.NodeId).ToList());
    }

    /// <summary>Topic names; internal topics only when asked.</summary>
    public async Task<IReadOnlyList<string>> ListTopicsAsync(bool listInternal = false, CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var metadata = await _cluster.RefreshMetadataAsync(true, timeout.Token, allowAutoCreate: false).ConfigureAwait(false);
        return metadata.Topics.Values.Where(t => t.Error == ErrorCode.None && (listInternal || !t.IsInternal))
            .Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>Describes topics; throws <see cref="AdminException"/> naming the ones that do not exist.</summary>
    public async Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var names = topics.ToList();
        var response = await _cluster.SendToAnyAsync<MetadataRequest, MetadataResponse>(new MetadataRequest
        {
            Topics = names.ConvertAll(n => new MetadataRequest.MetadataRequestTopic { Name = n }),
            AllowAutoTopicCreation = false,
        }, timeout.Token).ConfigureAwait(false);
        var result = new List<TopicDescription>();
        var errors = new List<AdminResult>();
        foreach (var t in response.Topics)
        {
            var error = (ErrorCode)t.ErrorCode;
            errors.Add(new AdminResult(t.Name ?? "", error));
            if (error != ErrorCode.None) continue;
            var partitions = t.Partitions.OrderBy(p => p.PartitionIndex).Select(p => new PartitionInfo(p.PartitionIndex, p.LeaderId,
                p.LeaderEpoch, [.. p.ReplicaNodes], [.. p.IsrNodes], (ErrorCode)p.ErrorCode)).ToList();
            result.Add(new TopicDescription(t.Name!, t.TopicId, t.IsInternal, partitions));
        }
        if (errors.Exists(e => !e.IsSuccess)) throw new AdminException("DescribeTopics", errors);
        return result;
    }

    /// <summary>Creates topics; the valid ones are created even when others fail (<see cref="AdminException"/>).</summary>
    public async Task CreateTopicsAsync(IEnumerable<NewTopic> topics, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var list = topics.ToList();
        var request = new CreateTopicsRequest
        {
            Topics = list.ConvertAll(t => new CreateTopicsRequest.CreatableTopic
            {
                Name = t.Name,
                NumPartitions = t.NumPartitions,
                ReplicationFactor = t.ReplicationFactor,
                Assignments = [],
                Configs = t.Configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value }).ToList(),
            }),
            timeoutMs = _config.RequestTimeoutMs,
            validateOnly = validateOnly,
        };
        var response = await SendToControllerAsync<CreateTopicsRequest, CreateTopicsResponse>(request,
            r => r.Topics.Select(t => (ErrorCode)t.ErrorCode), timeout.Token).ConfigureAwait(false);
        ThrowIfAny("CreateTopics", response.Topics.Select(t => new AdminResult(t.Name, (ErrorCode)t.ErrorCode, t.ErrorMessage)));
        _cluster.RequestMetadataUpdate();
    }

    public async Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var names = topics.ToList();
        var response = await SendToControllerAsync<DeleteTopicsRequest, DeleteTopicsResponse>(version => version >= 6
            ? new DeleteTopicsRequest { Topics = names.ConvertAll(n => new DeleteTopicsRequest.DeleteTopicState { Name = n }), TimeoutMs = _config.RequestTimeoutMs }
            : new DeleteTopicsRequest { TopicNames = names, TimeoutMs = _config.RequestTimeoutMs },
            r => r.Responses.Select(t => (ErrorCode)t.ErrorCode), timeout.Token).ConfigureAwait(false);
        ThrowIfAny("DeleteTopics", response.Responses.Select(t => new AdminResult(t.Name ?? "", (ErrorCode)t.ErrorCode, t.ErrorMessage)));
        _cluster.RequestMetadataUpdate();
    }

    /// <summary>Raises topics' partition counts to the given totals.</summary>
    public async Task CreatePartitionsAsync(IReadOnlyDictionary<string, int> totalCounts, bool validateOnly = false,
        CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var request = new CreatePartitionsRequest
        {
            Topics = totalCounts.Select(kv => new CreatePartitionsRequest.CreatePartitionsTopic { Name = kv.Key, Count = kv.Value, Assignments = null }).ToList(),
            TimeoutMs = _config.RequestTimeoutMs,
            ValidateOnly = validateOnly,
        };
        var response = await SendToControllerAsync<CreatePartitionsRequest, CreatePartitionsResponse>(request,
            r => r.Results.Select(t => (ErrorCode)t.ErrorCode), timeout.Token).ConfigureAwait(false);
        ThrowIfAny("CreatePartitions", response.Results.Select(t => new AdminResult(t.Name, (ErrorCode)t.ErrorCode, t.ErrorMessage)));
        _cluster.RequestMetadataUpdate();
    }

    // ---- configs ------------------------------------------------------------------------------

    public async Task<IReadOnlyDictionary<ConfigResource, IReadOnlyList<ConfigEntry>>> DescribeConfigsAsync(IEnumerable<ConfigResource> resources,
        CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var list = resources.ToList();
        var result = new Dictionary<ConfigResource, IReadOnlyList<ConfigEntry>>();
        var errors = new List<AdminResult>();
        // Broker resources must be asked of that broker; the rest of any broker.
        foreach (var group in list.GroupBy(r => r.Type == ConfigResourceType.Broker && int.TryParse(r.Name, out var id) ? id : -1))
        {
            var request = new DescribeConfigsRequest
            {
                Resources = group.Select(r => new DescribeConfigsRequest.DescribeConfigsResource
                {
                    ResourceType = (sbyte)r.Type,
                    ResourceName = r.Name,
                    ConfigurationKeys = null,
                }).ToList(),
            };
            var response = group.Key >= 0
                ? await RetryAsync(() => _cluster.SendAsync<DescribeConfigsRequest, DescribeConfigsResponse>(group.Key, request, timeout.Token), timeout.Token).ConfigureAwait(false)
                : await _cluster.SendToAnyAsync<DescribeConfigsRequest, DescribeConfigsResponse>(request, timeout.Token).ConfigureAwait(false);
            foreach (var r in response.Results)
            {
                var resource = new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName);
                errors.Add(new AdminResult(r.ResourceName, (ErrorCode)r.ErrorCode, r.ErrorMessage));
                if ((ErrorCode)r.ErrorCode != ErrorCode.None) continue;
                result[resource] = r.Configs.Select(c => new ConfigEntry(c.Name, c.Value, c.ReadOnly,
                    c.IsDefault || c.ConfigSource == 5, c.IsSensitive, c.ConfigSource)).ToList();
            }
        }
        ThrowIfAny("DescribeConfigs", errors);
        return result;
    }

    public async Task IncrementalAlterConfigsAsync(IReadOnlyDictionary<ConfigResource, IReadOnlyList<AlterConfigOp>> changes,
        bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var errors = new List<AdminResult>();
        foreach (var group in changes.GroupBy(r => r.Key.Type == ConfigResourceType.Broker && int.TryParse(r.Key.Name, out var id) ? id : -1))
        {
            var request = new IncrementalAlterConfigsRequest
            {
                Resources = group.Select(kv => new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)kv.Key.Type,
                    ResourceName = kv.Key.Name,
                    Configs = kv.Value.Select(op => new IncrementalAlterConfigsRequest.AlterableConfig
                    {
                        Name = op.Name,
                        ConfigOperation = (sbyte)op.Op,
                        Value = op.Value,
                    }).ToList(),
                }).ToList(),
                ValidateOnly = validateOnly,
            };
            var response = group.Key >= 0
                ? await RetryAsync(() => _cluster.SendAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(group.Key, request, timeout.Token), timeout.Token).ConfigureAwait(false)
                : await SendToControllerAsync<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(request,
                    r => r.Responses.Select(x => (ErrorCode)x.ErrorCode), timeout.Token).ConfigureAwait(false);
            errors.AddRange(response.Responses.Select(r => new AdminResult(r.ResourceName, (ErrorCode)r.ErrorCode, r.ErrorMessage)));
        }
        ThrowIfAny("IncrementalAlterConfigs", errors);
    }

    // ---- groups -------------------------------------------------------------------------------

    /// <summary>Groups of every broker (each coordinator knows only its own).</summary>
    public async Task<IReadOnlyList<GroupListing>> ListConsumerGroupsAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var metadata = await _cluster.RefreshMetadataAsync(null, timeout.Token, allowAutoCreate: false).ConfigureAwait(false);
        var result = new List<GroupListing>();
        foreach (var broker in metadata.Brokers.Keys.Order())
        {
            var response = await RetryAsync(() => _cluster.SendAsync<ListGroupsRequest, ListGroupsResponse>(broker,
                new ListGroupsRequest(), timeout.Token), timeout.Token).ConfigureAwait(false);
            var error = (ErrorCode)response.ErrorCode;
            if (error != ErrorCode.None) throw KafkaException.FromErrorCode(error, $"ListGroups on broker {broker}");
            foreach (var g in response.Groups)
                result.Add(new GroupListing(g.GroupId, g.ProtocolType, string.IsNullOrEmpty(g.GroupState) ? null : g.GroupState, broker));
        }
        return result;
    }

    public async Task<IReadOnlyList<GroupDescription>> DescribeConsumerGroupsAsync(IEnumerable<string> groupIds,
        CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var result = new List<GroupDescription>();
        foreach (var groupId in groupIds)
        {
            var response = await SendToCoordinatorAsync<DescribeGroupsRequest, DescribeGroupsResponse>(groupId,
                new DescribeGroupsRequest { Groups = [groupId] }, r => r.Groups.Select(g => (ErrorCode)g.ErrorCode), timeout.Token).ConfigureAwait(false);
            foreach (var g in response.Response.Groups)
            {
                var members = g.Members.Select(m =>
                {
                    List<TopicPartition> assignment;
                    try
                    {
                        assignment = string.Equals(g.ProtocolType, ConsumerProtocol.ProtocolType, StringComparison.Ordinal)
                            ? ConsumerProtocol.ReadAssignment(m.MemberAssignment) : [];
                    }
                    catch (KafkaProtocolException)
                    {
                        assignment = [];
                    }
                    return new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, assignment);
                }).ToList();
                result.Add(new GroupDescription(g.GroupId, (ErrorCode)g.ErrorCode, g.GroupState, g.ProtocolType, g.ProtocolData, members, response.Coordinator));
            }
        }
        return result;
    }

    public async Task DeleteConsumerGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var errors = new List<AdminResult>();
        foreach (var groupId in groupIds)
        {
            var response = await SendToCoordinatorAsync<DeleteGroupsRequest, DeleteGroupsResponse>(groupId,
                new DeleteGroupsRequest { GroupsNames = [groupId] }, r => r.Results.Select(g => (ErrorCode)g.ErrorCode), timeout.Token).ConfigureAwait(false);
            errors.AddRange(response.Response.Results.Select(r => new AdminResult(r.GroupId, (ErrorCode)r.ErrorCode)));
        }
        ThrowIfAny("DeleteGroups", errors);
    }

    /// <summary>The committed offsets of a group (all partitions when <paramref name="partitions"/> is null).</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, TopicPartitionOffset>> ListConsumerGroupOffsetsAsync(string groupId,
        IEnumerable<TopicPartition>? partitions = null, CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var list = partitions?.ToList();
        var response = await SendToCoordinatorAsync<OffsetFetchRequest, OffsetFetchResponse>(groupId, version => new OffsetFetchRequest
        {
            GroupId = groupId,
            Topics = list?.GroupBy(p => p.Topic).Select(g => new OffsetFetchRequest.OffsetFetchRequestTopic
            {
                Name = g.Key,
                PartitionIndexes = g.Select(p => p.Partition).ToList(),
            }).ToList(),
            RequireStable = version >= 7,
        }, r => [(ErrorCode)r.ErrorCode], timeout.Token).ConfigureAwait(false);
        var result = new Dictionary<TopicPartition, TopicPartitionOffset>();
        var errors = new List<AdminResult>();
        foreach (var t in response.Response.Topics)
        {
            foreach (var p in t.Partitions)
            {
                var error = (ErrorCode)p.ErrorCode;
                if (error != ErrorCode.None) errors.Add(new AdminResult($"{t.Name}-{p.PartitionIndex}", error));
                else if (p.CommittedOffset >= 0) result[new TopicPartition(t.Name, p.PartitionIndex)] = new TopicPartitionOffset(t.Name, p.PartitionIndex, p.CommittedOffset, p.Metadata);
            }
        }
        ThrowIfAny("ListConsumerGroupOffsets", errors);
        return result;
    }

    /// <summary>Sets a group's committed offsets (the group must have no active members).</summary>
    public async Task AlterConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartitionOffset> offsets,
        CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var list = offsets.ToList();
        var request = new OffsetCommitRequest
        {
            GroupId = groupId,
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            Topics = list.GroupBy(o => o.Topic).Select(g => new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = g.Key,
                Partitions = g.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition
                {
                    PartitionIndex = o.Partition,
                    CommittedOffset = o.Offset,
                    CommittedMetadata = o.Metadata ?? "",
                }).ToList(),
            }).ToList(),
        };
        var response = await SendToCoordinatorAsync<OffsetCommitRequest, OffsetCommitResponse>(groupId, request,
            r => r.Topics.SelectMany(t => t.Partitions).Select(p => (ErrorCode)p.ErrorCode), timeout.Token).ConfigureAwait(false);
        ThrowIfAny("AlterConsumerGroupOffsets", response.Response.Topics.SelectMany(t =>
            t.Partitions.Select(p => new AdminResult($"{t.Name}-{p.PartitionIndex}", (ErrorCode)p.ErrorCode))));
    }

    /// <summary>Deletes a group's committed offsets for partitions no member is subscribed to.</summary>
    public async Task DeleteConsumerGroupOffsetsAsync(string groupId, IEnumerable<TopicPartition> partitions,
        CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var request = new OffsetDeleteRequest
        {
            GroupId = groupId,
            Topics = partitions.GroupBy(p => p.Topic).Select(g => new OffsetDeleteRequest.OffsetDeleteRequestTopic
            {
                Name = g.Key,
                Partitions = g.Select(p => new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = p.Partition }).ToList(),
            }).ToList(),
        };
        var response = await SendToCoordinatorAsync<OffsetDeleteRequest, OffsetDeleteResponse>(groupId, request,
            r => [(ErrorCode)r.ErrorCode], timeout.Token).ConfigureAwait(false);
        var errors = new List<AdminResult> { new(groupId, (ErrorCode)response.Response.ErrorCode) };
        errors.AddRange(response.Response.Topics.SelectMany(t =>
            t.Partitions.Select(p => new AdminResult($"{t.Name}-{p.PartitionIndex}", (ErrorCode)p.ErrorCode))));
        ThrowIfAny("DeleteConsumerGroupOffsets", errors);
    }

    // ---- offsets and records ------------------------------------------------------------------

    public async Task<IReadOnlyDictionary<TopicPartition, ListOffsetsResultInfo>> ListOffsetsAsync(
        IReadOnlyDictionary<TopicPartition, OffsetSpec> partitions, IsolationLevel isolationLevel = IsolationLevel.ReadUncommitted,
        CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var result = new Dictionary<TopicPartition, ListOffsetsResultInfo>();
        var pending = new Dictionary<TopicPartition, OffsetSpec>(partitions);
        var errors = new List<AdminResult>();
        await ForEachLeaderAsync(pending.Keys, async (leader, tps) =>
        {
            var response = await _cluster.SendAsync<ListOffsetsRequest, ListOffsetsResponse>(leader, new ListOffsetsRequest
            {
                ReplicaId = -1,
                IsolationLevel = (sbyte)isolationLevel,
                Topics = tps.GroupBy(p => p.Topic).Select(g => new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = g.Key,
                    Partitions = g.Select(p => new ListOffsetsRequest.ListOffsetsPartition
                    {
                        PartitionIndex = p.Partition,
                        Timestamp = pending[p].Timestamp,
                        CurrentLeaderEpoch = -1,
                    }).ToList(),
                }).ToList(),
            }, timeout.Token).ConfigureAwait(false);
            var retry = new List<TopicPartition>();
            foreach (var t in response.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    var tp = new TopicPartition(t.Name, p.PartitionIndex);
                    var error = (ErrorCode)p.ErrorCode;
                    if (error == ErrorCode.None) result[tp] = new ListOffsetsResultInfo(p.Offset, p.Timestamp, p.LeaderEpoch);
                    else if (KafkaException.IsRetriableCode(error)) retry.Add(tp);
                    else errors.Add(new AdminResult(tp.ToString(), error));
                }
            }
            return retry;
        }, timeout.Token).ConfigureAwait(false);
        ThrowIfAny("ListOffsets", errors);
        return result;
    }

    /// <summary>Deletes records before the given offsets; returns each partition's new log start offset.</summary>
    public async Task<IReadOnlyDictionary<TopicPartition, long>> DeleteRecordsAsync(IEnumerable<TopicPartitionOffset> beforeOffsets,
        CancellationToken cancellationToken = default)
    {
        using var timeout = Timeout(cancellationToken);
        var offsets = beforeOffsets.ToDictionary(o => o.TopicPartition, o => o.Offset);
        var result = new Dictionary<TopicPartition, long>();
        var errors = new List<AdminResult>();
        await ForEachLeaderAsync(offsets.Keys, async (leader, tps) =>
        {
            var response = await _cluster.SendAsync<DeleteRecordsRequest, DeleteRecordsResponse>(leader, new DeleteRecordsRequest
            {
                Topics = tps.GroupBy(p => p.Topic).Select(g => new DeleteRecordsRequest.DeleteRecordsTopic
                {
                    Name = g.Key,
                    Partitions = g.Select(p => new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = p.Partition, Offset = offsets[p] }).ToList(),
                }).ToList(),
                TimeoutMs = _config.RequestTimeoutMs,
            }, timeout.Token).ConfigureAwait(false);
            var retry = new List<TopicPartition>();
            foreach (var t in response.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    var tp = new TopicPartition(t.Name, p.PartitionIndex);
                    var error = (ErrorCode)p.ErrorCode;
                    if (error == ErrorCode.None) result[tp] = p.LowWatermark;
                    else if (KafkaException.IsRetriableCode(error)) retry.Add(tp);
                    else errors.Add(new AdminResult(tp.ToString(), error));
                }
            }
            return retry;
        }, timeout.Token).ConfigureAwait(false);
        ThrowIfAny("DeleteRecords", errors);
        return result;
    }

    // ---- plumbing -----------------------------------------------------------------------------

    /// <summary>Runs <paramref name="send"/> per leader; partitions it returns are retried after a metadata refresh.</summary>
    private async Task ForEachLeaderAsync(IEnumerable<TopicPartition> partitions,
        Func<int, List<TopicPartition>, Task<List<TopicPartition>>> send, CancellationToken cancellationToken)
    {
        var todo = partitions.ToList();
        _cluster.AddTopics(todo.Select(p => p.Topic));
        var attempt = 0;
        while (todo.Count > 0)
        {
            var metadata = await _cluster.RefreshMetadataAsync(null, cancellationToken, allowAutoCreate: false).ConfigureAwait(false);
            var next = new List<TopicPartition>();
            foreach (var group in todo.GroupBy(metadata.LeaderOf))
            {
                if (group.Key < 0)
                {
                    foreach (var tp in group)
                    {
                        if (!metadata.Topics.TryGetValue(tp.Topic, out var info) || info.Error == ErrorCode.UnknownTopicOrPartition
                            || (info.Error == ErrorCode.None && tp.Partition >= info.Partitions.Length))
                            throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"{tp} does not exist.");
                        next.Add(tp);
                    }
                    continue;
                }
                try
                {
                    next.AddRange(await send(group.Key, group.ToList()).ConfigureAwait(false));
                }
                catch (KafkaException e) when (e.IsRetriable)
                {
                    next.AddRange(group);
                }
            }
            todo = next;
            if (todo.Count > 0) await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TResponse> SendToControllerAsync<TRequest, TResponse>(TRequest request, Func<TResponse, IEnumerable<ErrorCode>> errors,
        CancellationToken cancellationToken)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse> =>
        await SendToControllerAsync(_ => request, errors, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Sends to the controller Metadata names (brokers forward to the KRaft quorum anyway);
    /// NOT_CONTROLLER and disconnects refresh metadata and try again.
    /// </summary>
    private async Task<TResponse> SendToControllerAsync<TRequest, TResponse>(Func<short, TRequest> request,
        Func<TResponse, IEnumerable<ErrorCode>> errors, CancellationToken cancellationToken)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var attempt = 0;
        while (true)
        {
            if (_cluster.Metadata.ControllerId < 0 || _cluster.MetadataUpdateRequested)
                await _cluster.RefreshMetadataAsync(null, cancellationToken, allowAutoCreate: false).ConfigureAwait(false);
            var controller = _cluster.Metadata.ControllerId;
            try
            {
                var response = controller >= 0 && _cluster.Metadata.Brokers.ContainsKey(controller)
                    ? await _cluster.SendAsync<TRequest, TResponse>(controller, request, cancellationToken).ConfigureAwait(false)
                    : await _cluster.SendToAnyAsync<TRequest, TResponse>(request(KafkaCluster.MaxVersion(TRequest.ApiKey)), cancellationToken).ConfigureAwait(false);
                if (!errors(response).Contains(ErrorCode.NotController)) return response;
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                _logger.LogDebug(e, "{Api} to the controller failed.", TRequest.ApiKey);
            }
            _cluster.RequestMetadataUpdate();
            await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<(TResponse Response, int Coordinator)> SendToCoordinatorAsync<TRequest, TResponse>(string groupId, TRequest request,
        Func<TResponse, IEnumerable<ErrorCode>> errors, CancellationToken cancellationToken)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse> =>
        SendToCoordinatorAsync(groupId, _ => request, errors, cancellationToken);

    /// <summary>Finds the group's coordinator and sends; coordinator moves and loading are retried.</summary>
    private async Task<(TResponse Response, int Coordinator)> SendToCoordinatorAsync<TRequest, TResponse>(string groupId,
        Func<short, TRequest> request, Func<TResponse, IEnumerable<ErrorCode>> errors, CancellationToken cancellationToken)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                var found = await _cluster.SendToAnyAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
                    new FindCoordinatorRequest { Key = groupId, KeyType = 0 }, cancellationToken).ConfigureAwait(false);
                var findError = (ErrorCode)found.ErrorCode;
                if (findError == ErrorCode.None)
                {
                    var node = _cluster.RegisterCoordinator(found.NodeId, found.Host, found.Port);
                    var response = await _cluster.SendAsync<TRequest, TResponse>(node, request, cancellationToken).ConfigureAwait(false);
                    var codes = errors(response).ToList();
                    if (!codes.Exists(c => c is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.CoordinatorLoadInProgress))
                        return (response, found.NodeId);
                }
                else if (!KafkaException.IsRetriableCode(findError))
                {
                    throw KafkaException.FromErrorCode(findError, $"FindCoordinator {groupId}", found.ErrorMessage);
                }
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                _logger.LogDebug(e, "{Api} for group {Group} failed.", TRequest.ApiKey, groupId);
            }
            await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable && attempt < _config.Retries)
            {
                await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task Backoff(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Min(_config.RetryBackoffMaxMs, _config.RetryBackoffMs * Math.Pow(2, Math.Min(attempt, 10)))),
            _time, cancellationToken);

    private static void ThrowIfAny(string operation, IEnumerable<AdminResult> results)
    {
        var list = results.ToList();
        if (list.Exists(r => !r.IsSuccess)) throw new AdminException(operation, list);
    }

    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_config.DefaultApiTimeoutMs);
        return cts;
    }

    public void Dispose() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
