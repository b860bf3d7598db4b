using Microsoft.Extensions.Logging;
using Samsa.Client.Assignors;
using Samsa.Client.Network;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Consumer;

/// <summary>
/// Group membership with the classic protocol: FindCoordinator, JoinGroup (with the member id the
/// broker hands out first, KIP-394), SyncGroup (the leader runs the assignor), heartbeats on a
/// background loop, LeaveGroup, and offset commits/fetches. Rebalance callbacks run on the
/// polling thread inside <see cref="PollAsync"/>. Eager assignors revoke everything before a join;
/// cooperative-sticky revokes only what moved and rejoins at once to hand it over.
/// </summary>
internal sealed class ConsumerCoordinator : IAsyncDisposable
{
    private readonly ConsumerConfig _config;
    private readonly KafkaCluster _cluster;
    private readonly SubscriptionState _subscriptions;
    private readonly List<IPartitionAssignor> _assignors;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _groupId;
    private readonly bool _cooperative;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _requestLock = new(1, 1);
    private int _coordinator = -1;
    private string _memberId = "";
    private int _generation = -1;
    private string? _protocol;
    private volatile bool _rejoinNeeded = true;
    private volatile bool _lost;
    private volatile bool _pollTimeoutExpired;
    private long _lastPollTicks;
    private Task? _heartbeatLoop;
    private HashSet<string> _joinedTopics = new(StringComparer.Ordinal);

    public ConsumerCoordinator(ConsumerConfig config, KafkaCluster cluster, SubscriptionState subscriptions, ILogger logger, TimeProvider time)
    {
        _config = config;
        _cluster = cluster;
        _subscriptions = subscriptions;
        _logger = logger;
        _time = time;
        _groupId = config.GroupId ?? "";
        _assignors = config.PartitionAssignmentStrategy.Select(n => PartitionAssignors.TryCreate(n)!).ToList();
        _cooperative = _assignors.TrueForAll(a => a.IsCooperative);
        _lastPollTicks = time.GetUtcNow().UtcTicks;
    }

    public string MemberId => _memberId;
    public int Generation => _generation;
    public bool HasGroup => !string.IsNullOrEmpty(_config.GroupId);

    /// <summary>Asks for a rejoin on the next poll (subscription changed).</summary>
    public void RequestRejoin() => _rejoinNeeded = true;

    /// <summary>Called on every poll: keeps the membership alive and rebalances when needed.</summary>
    public async Task PollAsync(IConsumerRebalanceListener? listener, Func<CancellationToken, Task> commitBeforeRevoke,
        CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastPollTicks, _time.GetUtcNow().UtcTicks);
        if (!_subscriptions.IsSubscribed) return;
        if (_subscriptions.Pattern is not null) await UpdatePatternSubscriptionAsync(cancellationToken).ConfigureAwait(false);
        else if (!_joinedTopics.SetEquals(_subscriptions.Topics)) _rejoinNeeded = true;
        if (_lost)
        {
            _lost = false;
            var lost = _subscriptions.Assigned.ToList();
            if (lost.Count > 0)
            {
                _logger.LogWarning("Lost partitions {Partitions}: the group moved on without this member.", string.Join(",", lost));
                _subscriptions.SetGroupAssignment([]);
                Invoke(() => listener?.OnPartitionsLost(lost));
            }
        }
        if (_pollTimeoutExpired)
        {
            _pollTimeoutExpired = false;
            _rejoinNeeded = true;
        }
        if (!_rejoinNeeded) return;
        await EnsureCoordinatorAsync(cancellationToken).ConfigureAwait(false);
        await RebalanceAsync(listener, commitBeforeRevoke, cancellationToken).ConfigureAwait(false);
    }

    private async Task UpdatePatternSubscriptionAsync(CancellationToken cancellationToken)
    {
        if (_cluster.MetadataUpdateRequested || _subscriptions.Topics.Count == 0)
        {
            var metadata = await _cluster.RefreshMetadataAsync(true, cancellationToken, allowAutoCreate: false).ConfigureAwait(false);
            var matched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, t) in metadata.Topics)
            {
                if (_config.ExcludeInternalTopics && t.IsInternal) continue;
                if (_subscriptions.Pattern!.IsMatch(name)) matched.Add(name);
            }
            if (!matched.SetEquals(_subscriptions.Topics))
            {
                _subscriptions.Topics.Clear();
                _subscriptions.Topics.UnionWith(matched);
                _cluster.SetTopics(matched);
            }
        }
        if (!_joinedTopics.SetEquals(_subscriptions.Topics)) _rejoinNeeded = true;
    }

    private static void Invoke(Action callback)
    {
        try
        {
            callback();
        }
        catch (Exception e)
        {
            throw new KafkaException(ErrorCode.UnknownServerError, $"A rebalance listener threw: {e.Message}", e);
        }
    }

    public async Task EnsureCoordinatorAsync(CancellationToken cancellationToken)
    {
        if (!HasGroup) throw new InvalidOperationException("group.id is required for group operations.");
        var attempt = 0;
        while (_coordinator < 0)
        {
            try
            {
                var response = await _cluster.SendToAnyAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
                    new FindCoordinatorRequest { Key = _groupId, KeyType = 0 }, cancellationToken).ConfigureAwait(false);
                var error = (ErrorCode)response.ErrorCode;
                if (error == ErrorCode.None)
                {
                    _coordinator = _cluster.RegisterCoordinator(response.NodeId, response.Host, response.Port);
                    return;
                }
                if (!KafkaException.IsRetriableCode(error)) throw KafkaException.FromErrorCode(error, $"FindCoordinator for group {_groupId}", response.ErrorMessage);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                _logger.LogDebug(e, "Finding the coordinator of group {Group} failed.", _groupId);
            }
            await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task Backoff(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Min(_config.RetryBackoffMaxMs, _config.RetryBackoffMs * Math.Pow(2, Math.Min(attempt, 10)))),
            _time, cancellationToken);

    private void CoordinatorUnknown()
    {
        var old = _coordinator;
        _coordinator = -1;
        if (old >= 0) _ = _cluster.CloseConnectionAsync(old);
    }

    private Task<TResponse> SendToCoordinatorAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken,
        TimeSpan? timeout = null)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse> =>
        SendToCoordinatorAsync<TRequest, TResponse>(_ => request, cancellationToken, timeout);

    private async Task<TResponse> SendToCoordinatorAsync<TRequest, TResponse>(Func<short, TRequest> request, CancellationToken cancellationToken,
        TimeSpan? timeout = null)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var coordinator = _coordinator;
        if (coordinator < 0) throw new KafkaException(ErrorCode.CoordinatorNotAvailable, $"The coordinator of group {_groupId} is not known.");
        try
        {
            return await _cluster.SendAsync<TRequest, TResponse>(coordinator, request, cancellationToken, timeout).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e is KafkaNetworkException or KafkaTimeoutException)
        {
            CoordinatorUnknown();
            throw;
        }
    }

    private async Task RebalanceAsync(IConsumerRebalanceListener? listener, Func<CancellationToken, Task> commitBeforeRevoke,
        CancellationToken cancellationToken)
    {
        if (!_cooperative && _subscriptions.Assigned.Count > 0)
        {
            var revoked = _subscriptions.Assigned.ToList();
            if (_config.EnableAutoCommit)
            {
                try { await commitBeforeRevoke(cancellationToken).ConfigureAwait(false); }
                catch (KafkaException e) { _logger.LogWarning(e, "Committing before the rebalance failed."); }
            }
            Invoke(() => listener?.OnPartitionsRevoked(revoked));
            _subscriptions.SetGroupAssignment([]);
        }

        var attempt = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await EnsureCoordinatorAsync(cancellationToken).ConfigureAwait(false);
            var topics = new HashSet<string>(_subscriptions.Topics, StringComparer.Ordinal);
            var owned = _cooperative ? _subscriptions.Assigned.ToList() : [];
            var join = new JoinGroupRequest
            {
                GroupId = _groupId,
                SessionTimeoutMs = _config.SessionTimeoutMs,
                RebalanceTimeoutMs = _config.MaxPollIntervalMs,
                MemberId = _memberId,
                GroupInstanceId = _config.GroupInstanceId,
                ProtocolType = ConsumerProtocol.ProtocolType,
                Protocols = _assignors.ConvertAll(a => new JoinGroupRequest.JoinGroupRequestProtocol
                {
                    Name = a.Name,
                    Metadata = ConsumerProtocol.WriteSubscription(topics, a.SubscriptionUserData(_subscriptions.Assigned, _generation),
                        owned, _generation, _config.ClientRack),
                }),
                Reason = null,
            };
            JoinGroupResponse joined;
            try
            {
                // A join waits for every member to rejoin, up to the rebalance timeout: give the
                // broker that long plus a margin rather than request.timeout.ms, as Kafka's client does.
                joined = await SendToCoordinatorAsync<JoinGroupRequest, JoinGroupResponse>(join, cancellationToken,
                    TimeSpan.FromMilliseconds(Math.Max(_config.RequestTimeoutMs, (long)_config.MaxPollIntervalMs + 5000))).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var error = (ErrorCode)joined.ErrorCode;
            switch (error)
            {
                case ErrorCode.None:
                    break;
                case ErrorCode.MemberIdRequired:
                    _memberId = joined.MemberId;
                    continue;
                case ErrorCode.UnknownMemberId:
                    _logger.LogInformation("Group {Group} does not know member {Member}; joining afresh.", _groupId, _memberId);
                    _memberId = "";
                    _generation = -1;
                    await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                    continue;
                case ErrorCode.IllegalGeneration:
                    _generation = -1;
                    await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                    continue;
                case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                    CoordinatorUnknown();
                    continue;
                case ErrorCode.RebalanceInProgress or ErrorCode.CoordinatorLoadInProgress:
                    await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                    continue;
                default:
                    throw KafkaException.FromErrorCode(error, $"JoinGroup {_groupId}");
            }
            _memberId = joined.MemberId;
            _generation = joined.GenerationId;
            _protocol = joined.ProtocolName;
            List<SyncGroupRequest.SyncGroupRequestAssignment> assignments = [];
            if (string.Equals(joined.Leader, joined.MemberId, StringComparison.Ordinal) && !joined.SkipAssignment)
                assignments = await AssignAsync(joined, cancellationToken).ConfigureAwait(false);

            var sync = new SyncGroupRequest
            {
                GroupId = _groupId,
                GenerationId = _generation,
                MemberId = _memberId,
                GroupInstanceId = _config.GroupInstanceId,
                ProtocolType = ConsumerProtocol.ProtocolType,
                ProtocolName = _protocol,
                Assignments = assignments,
            };
            SyncGroupResponse synced;
            try
            {
                synced = await SendToCoordinatorAsync<SyncGroupRequest, SyncGroupResponse>(sync, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                continue;
            }
            error = (ErrorCode)synced.ErrorCode;
            switch (error)
            {
                case ErrorCode.None:
                    break;
                case ErrorCode.RebalanceInProgress:
                    continue;
                case ErrorCode.UnknownMemberId:
                    _memberId = "";
                    _generation = -1;
                    continue;
                case ErrorCode.IllegalGeneration:
                    _generation = -1;
                    continue;
                case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                    CoordinatorUnknown();
                    continue;
                default:
                    throw KafkaException.FromErrorCode(error, $"SyncGroup {_groupId}");
            }

            var assigned = ConsumerProtocol.ReadAssignment(synced.Assignment);
            _joinedTopics = topics;
            _rejoinNeeded = false;
            ApplyAssignment(assigned, listener);
            _logger.LogInformation("Joined group {Group} generation {Generation} as {Member} ({Protocol}); assigned {Partitions}.",
                _groupId, _generation, _memberId, _protocol, string.Join(",", assigned));
            _heartbeatLoop ??= Task.Run(HeartbeatLoopAsync, CancellationToken.None);
            return;
        }
    }

    private void ApplyAssignment(List<TopicPartition> assigned, IConsumerRebalanceListener? listener)
    {
        var now = new HashSet<TopicPartition>(assigned);
        var before = new HashSet<TopicPartition>(_subscriptions.Assigned);
        var revoked = before.Where(tp => !now.Contains(tp)).ToList();
        var added = assigned.Where(tp => !before.Contains(tp)).ToList();
        if (revoked.Count > 0)
        {
            Invoke(() => listener?.OnPartitionsRevoked(revoked));
            // Cooperative: what we gave up goes to someone else in a follow-up rebalance.
            if (_cooperative) _rejoinNeeded = true;
        }
        _subscriptions.SetGroupAssignment(assigned);
        Invoke(() => listener?.OnPartitionsAssigned(added));
    }

    private async Task<List<SyncGroupRequest.SyncGroupRequestAssignment>> AssignAsync(JoinGroupResponse joined, CancellationToken cancellationToken)
    {
        var assignor = _assignors.Find(a => string.Equals(a.Name, joined.ProtocolName, StringComparison.Ordinal))
            ?? throw new KafkaException(ErrorCode.InconsistentGroupProtocol, $"The group chose assignor '{joined.ProtocolName}', which this member does not have.");
        var members = new List<GroupMember>();
        var allTopics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in joined.Members)
        {
            List<string> topics;
            byte[]? userData;
            List<TopicPartition> owned;
            int generation;
            try
            {
                (topics, userData, owned, generation) = ConsumerProtocol.ReadSubscription(m.Metadata);
            }
            catch (KafkaProtocolException e)
            {
                _logger.LogWarning(e, "Member {Member} sent an unreadable subscription; it gets nothing.", m.MemberId);
                (topics, userData, owned, generation) = ([], null, [], -1);
            }
            allTopics.UnionWith(topics);
            members.Add(new GroupMember(m.MemberId, m.GroupInstanceId, topics) { OwnedPartitions = owned, Generation = generation, UserData = userData });
        }
        _cluster.AddTopics(allTopics);
        var metadata = await _cluster.RefreshMetadataAsync(null, cancellationToken, _config.AllowAutoCreateTopics).ConfigureAwait(false);
        var partitionsPerTopic = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in allTopics)
        {
            var count = metadata.PartitionCount(topic);
            if (count > 0) partitionsPerTopic[topic] = count;
        }
        var assignment = assignor.Assign(partitionsPerTopic, members);
        var result = new List<SyncGroupRequest.SyncGroupRequestAssignment>(members.Count);
        foreach (var m in members)
        {
            result.Add(new SyncGroupRequest.SyncGroupRequestAssignment
            {
                MemberId = m.MemberId,
                Assignment = ConsumerProtocol.WriteAssignment(assignment.TryGetValue(m.MemberId, out var list) ? list : []),
            });
        }
        return result;
    }

    private async Task HeartbeatLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_config.HeartbeatIntervalMs), _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_generation < 0 || _rejoinNeeded || _coordinator < 0) continue;
            var sincePoll = TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastPollTicks));
            if (sincePoll > TimeSpan.FromMilliseconds(_config.MaxPollIntervalMs))
            {
                _logger.LogWarning("No poll for {Elapsed} (max.poll.interval.ms={Max}); leaving group {Group}.",
                    sincePoll, _config.MaxPollIntervalMs, _groupId);
                await LeaveGroupAsync("consumer poll timeout has expired", token).ConfigureAwait(false);
                _pollTimeoutExpired = true;
                _lost = true;
                continue;
            }
            try
            {
                var response = await SendToCoordinatorAsync<HeartbeatRequest, HeartbeatResponse>(new HeartbeatRequest
                {
                    GroupId = _groupId,
                    GenerationId = _generation,
                    MemberId = _memberId,
                    GroupInstanceId = _config.GroupInstanceId,
                }, token).ConfigureAwait(false);
                switch ((ErrorCode)response.ErrorCode)
                {
                    case ErrorCode.None:
                        break;
                    case ErrorCode.RebalanceInProgress:
                        _rejoinNeeded = true;
                        break;
                    case ErrorCode.UnknownMemberId:
                        _memberId = "";
                        _generation = -1;
                        _lost = true;
                        _rejoinNeeded = true;
                        break;
                    case ErrorCode.IllegalGeneration or ErrorCode.FencedInstanceId:
                        _generation = -1;
                        _lost = true;
                        _rejoinNeeded = true;
                        break;
                    case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                        CoordinatorUnknown();
                        break;
                    default:
                        _logger.LogDebug("Heartbeat answered {Error}.", (ErrorCode)response.ErrorCode);
                        break;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (KafkaException e)
            {
                _logger.LogDebug(e, "Heartbeat failed.");
            }
        }
    }

    /// <summary>Leaves the group (dynamic members only: a static member keeps its place until its session ends).</summary>
    public async Task LeaveGroupAsync(string reason, CancellationToken cancellationToken)
    {
        if (!HasGroup || string.IsNullOrEmpty(_memberId) || _coordinator < 0) return;
        if (_config.GroupInstanceId is not null)
        {
            _generation = -1;
            return;
        }
        try
        {
            var memberId = _memberId;
            var response = await SendToCoordinatorAsync<LeaveGroupRequest, LeaveGroupResponse>(version => version >= 3
                ? new LeaveGroupRequest
                {
                    GroupId = _groupId,
                    Members = [new LeaveGroupRequest.MemberIdentity { MemberId = memberId, GroupInstanceId = null, Reason = reason }],
                }
                : new LeaveGroupRequest { GroupId = _groupId, MemberId = memberId }, cancellationToken).ConfigureAwait(false);
            if ((ErrorCode)response.ErrorCode != ErrorCode.None)
                _logger.LogDebug("LeaveGroup answered {Error}.", (ErrorCode)response.ErrorCode);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            _logger.LogDebug(e, "LeaveGroup failed.");
        }
        _memberId = "";
        _generation = -1;
        _rejoinNeeded = true;
    }

    /// <summary>Commits offsets; retriable coordinator errors are retried until the token fires.</summary>
    public async Task CommitAsync(IReadOnlyCollection<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        if (offsets.Count == 0) return;
        var attempt = 0;
        while (true)
        {
            await EnsureCoordinatorAsync(cancellationToken).ConfigureAwait(false);
            var request = new OffsetCommitRequest
            {
                GroupId = _groupId,
                GenerationIdOrMemberEpoch = _subscriptions.IsManual ? -1 : _generation,
                MemberId = _subscriptions.IsManual ? "" : _memberId,
                GroupInstanceId = _subscriptions.IsManual ? null : _config.GroupInstanceId,
                Topics = [],
            };
            foreach (var group in offsets.GroupBy(o => o.Topic))
            {
                request.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic
                {
                    Name = group.Key,
                    Partitions = group.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition
                    {
                        PartitionIndex = o.Partition,
                        CommittedOffset = o.Offset,
                        CommittedLeaderEpoch = -1,
                        CommittedMetadata = o.Metadata ?? "",
                    }).ToList(),
                });
            }
            ErrorCode error = ErrorCode.None;
            try
            {
                var response = await SendToCoordinatorAsync<OffsetCommitRequest, OffsetCommitResponse>(request, cancellationToken).ConfigureAwait(false);
                foreach (var t in response.Topics)
                {
                    foreach (var p in t.Partitions)
                    {
                        if ((ErrorCode)p.ErrorCode != ErrorCode.None) error = (ErrorCode)p.ErrorCode;
                    }
                }
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                continue;
            }
            switch (error)
            {
                case ErrorCode.None:
                    return;
                case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                    CoordinatorUnknown();
                    continue;
                case ErrorCode.CoordinatorLoadInProgress or ErrorCode.RequestTimedOut:
                    await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                    continue;
                case ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress:
                    _rejoinNeeded = true;
                    throw new KafkaException(error,
                        $"Commit failed: the group {_groupId} rebalanced ({error}); the partitions may now belong to another member.");
                default:
                    throw KafkaException.FromErrorCode(error, $"OffsetCommit {_groupId}");
            }
        }
    }

    /// <summary>The committed offsets of <paramref name="partitions"/> (absent when none).</summary>
    public async Task<Dictionary<TopicPartition, TopicPartitionOffset>> FetchCommittedAsync(IReadOnlyCollection<TopicPartition> partitions,
        CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            await EnsureCoordinatorAsync(cancellationToken).ConfigureAwait(false);
            OffsetFetchRequest request(short version) => new()
            {
                GroupId = _groupId,
                Topics = partitions.GroupBy(p => p.Topic).Select(g => new OffsetFetchRequest.OffsetFetchRequestTopic
                {
                    Name = g.Key,
                    PartitionIndexes = g.Select(p => p.Partition).ToList(),
                }).ToList(),
                RequireStable = version >= 7,
            };
            OffsetFetchResponse response;
            try
            {
                response = await SendToCoordinatorAsync<OffsetFetchRequest, OffsetFetchResponse>(request, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var error = (ErrorCode)response.ErrorCode;
            var result = new Dictionary<TopicPartition, TopicPartitionOffset>();
            foreach (var t in response.Topics)
            {
                foreach (var p in t.Partitions)
                {
                    if ((ErrorCode)p.ErrorCode != ErrorCode.None) error = (ErrorCode)p.ErrorCode;
                    else if (p.CommittedOffset >= 0)
                        result[new TopicPartition(t.Name, p.PartitionIndex)] = new TopicPartitionOffset(t.Name, p.PartitionIndex, p.CommittedOffset, p.Metadata);
                }
            }
            switch (error)
            {
                case ErrorCode.None:
                    return result;
                case ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable:
                    CoordinatorUnknown();
                    continue;
                case ErrorCode.CoordinatorLoadInProgress or ErrorCode.UnstableOffsetCommit:
                    await Backoff(attempt++, cancellationToken).ConfigureAwait(false);
                    continue;
                default:
                    throw KafkaException.FromErrorCode(error, $"OffsetFetch {_groupId}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_heartbeatLoop is not null)
        {
            try { await _heartbeatLoop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        _stop.Dispose();
        _requestLock.Dispose();
    }
}
