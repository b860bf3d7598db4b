using Microsoft.Extensions.Logging;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Network;

/// <summary>
/// What every client shares: one connection per broker (made on demand, with reconnect backoff),
/// and the metadata cache, refreshed when asked (errors, unknown leaders), when older than
/// metadata.max.age.ms, and merged so topics learnt earlier stay known.
/// </summary>
internal sealed class KafkaCluster : IAsyncDisposable
{
    /// <summary>Newest versions whose semantics this client implements, per API.</summary>
    internal static short MaxVersion(ApiKey key) => key switch
    {
        ApiKey.Fetch => 12,          // 13+ identifies topics by id only
        ApiKey.Metadata => 12,
        ApiKey.OffsetCommit => 8,    // 9+ is the new group protocol's member epoch
        ApiKey.OffsetFetch => 7,     // 8+ batches groups
        ApiKey.FindCoordinator => 3, // 4+ batches keys
        ApiKey.ListOffsets => 8,
        _ => short.MaxValue,
    };

    private readonly ClientConfig _config;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, ConnectionSlot> _connections = [];
    private readonly (string Host, int Port)[] _bootstrap;
    private readonly SemaphoreSlim _metadataLock = new(1, 1);
    private readonly HashSet<string> _interestingTopics = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (string Host, int Port)> _extraNodes = [];
    private volatile ClusterMetadata _metadata = ClusterMetadata.Empty;
    private volatile bool _updateRequested = true;
    private int _bootstrapIndex;
    private bool _disposed;

    public KafkaCluster(ClientConfig config, string clientId, ILogger logger, TimeProvider time)
    {
        _config = config;
        ClientId = clientId;
        _logger = logger;
        _time = time;
        var servers = config.BootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _bootstrap = Array.ConvertAll(servers, ClientConfig.ParseHostPort);
    }

    public string ClientId { get; }

    public ClusterMetadata Metadata => _metadata;

    public ILogger Logger => _logger;

    /// <summary>Replaces the metadata cache (benchmarks and tests without a broker).</summary>
    internal void SetMetadata(ClusterMetadata metadata)
    {
        _metadata = metadata;
        _updateRequested = false;
    }

    /// <summary>Marks metadata stale; the next <see cref="EnsureFreshMetadataAsync"/> refreshes it.</summary>
    public void RequestMetadataUpdate() => _updateRequested = true;

    public bool MetadataUpdateRequested =>
        _updateRequested || _time.GetUtcNow().UtcDateTime - _metadata.FetchedAt > TimeSpan.FromMilliseconds(_config.MetadataMaxAgeMs);

    /// <summary>Adds topics whose metadata every refresh fetches.</summary>
    public void AddTopics(IEnumerable<string> topics)
    {
        lock (_interestingTopics)
        {
            foreach (var t in topics)
            {
                if (_interestingTopics.Add(t)) _updateRequested = true;
            }
        }
    }

    public void SetTopics(IEnumerable<string> topics)
    {
        lock (_interestingTopics)
        {
            _interestingTopics.Clear();
            _interestingTopics.UnionWith(topics);
            _updateRequested = true;
        }
    }

    public Task EnsureFreshMetadataAsync(CancellationToken cancellationToken) =>
        MetadataUpdateRequested ? RefreshMetadataAsync(null, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Fetches metadata for the interesting topics (or all topics when <paramref name="allTopics"/>
    /// is set) and merges it into the cache.
    /// </summary>
    public async Task<ClusterMetadata> RefreshMetadataAsync(bool? allTopics, CancellationToken cancellationToken,
        bool allowAutoCreate = true)
    {
        await _metadataLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<string> topics;
            lock (_interestingTopics) topics = [.. _interestingTopics];
            _updateRequested = false;
            var request = new MetadataRequest
            {
                AllowAutoTopicCreation = allowAutoCreate,
                Topics = allTopics == true ? null : topics.ConvertAll(t => new MetadataRequest.MetadataRequestTopic { Name = t }),
            };
            MetadataResponse response;
            try
            {
                response = await SendToAnyAsync<MetadataRequest, MetadataResponse>(request, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _updateRequested = true;
                throw;
            }
            var brokers = new Dictionary<int, BrokerInfo>();
            foreach (var b in response.Brokers) brokers[b.NodeId] = new BrokerInfo(b.NodeId, b.Host, b.Port, b.Rack);
            var merged = new Dictionary<string, TopicInfo>(StringComparer.Ordinal);
            if (allTopics != true)
            {
                foreach (var (name, t) in _metadata.Topics) merged[name] = t;
            }
            foreach (var t in response.Topics)
            {
                if (t.Name is null) continue;
                var error = (ErrorCode)t.ErrorCode;
                var partitions = new PartitionInfo[t.Partitions.Count];
                var ok = true;
                foreach (var p in t.Partitions)
                {
                    if ((uint)p.PartitionIndex >= (uint)partitions.Length) { ok = false; continue; }
                    partitions[p.PartitionIndex] = new PartitionInfo(p.PartitionIndex, p.LeaderId, p.LeaderEpoch,
                        [.. p.ReplicaNodes], [.. p.IsrNodes], (ErrorCode)p.ErrorCode);
                }
                if (!ok || Array.Exists(partitions, p => p is null)) error = error == ErrorCode.None ? ErrorCode.LeaderNotAvailable : error;
                if (error != ErrorCode.None) partitions = [];
                merged[t.Name] = new TopicInfo(t.Name, t.TopicId, t.IsInternal, partitions, error);
            }
            var metadata = new ClusterMetadata(response.ClusterId, response.ControllerId, brokers, merged, _time.GetUtcNow().UtcDateTime);
            _metadata = metadata;
            return metadata;
        }
        finally
        {
            _metadataLock.Release();
        }
    }

    /// <summary>The connection to a broker, connecting (and negotiating versions) when needed.</summary>
    public async Task<BrokerConnection> GetConnectionAsync(int nodeId, CancellationToken cancellationToken)
    {
        ConnectionSlot slot;
        lock (_connections)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_connections.TryGetValue(nodeId, out slot!)) _connections[nodeId] = slot = new ConnectionSlot();
        }
        await slot.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Connection is { IsAlive: true } alive) return alive;
            if (slot.Connection is { } dead)
            {
                slot.Connection = null;
                _ = dead.DisposeAsync().AsTask();
                RequestMetadataUpdate();
            }
            var wait = slot.NextAttempt - _time.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            string host;
            int port;
            if (nodeId < 0)
            {
                (host, port) = _bootstrap[(-nodeId - 1) % _bootstrap.Length];
            }
            else if (_metadata.Brokers.TryGetValue(nodeId, out var broker))
            {
                (host, port) = (broker.Host, broker.Port);
            }
            else if (TryGetExtraNode(nodeId, out var extra))
            {
                (host, port) = extra;
            }
            else
            {
                throw new KafkaException(ErrorCode.BrokerNotAvailable, $"Broker {nodeId} is not in the cluster metadata.");
            }
            var connection = new BrokerConnection(nodeId, host, port, ClientId, _config.RequestTimeoutMs, _logger);
            try
            {
                await connection.ConnectAsync(_config.SocketConnectionSetupTimeoutMs, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                slot.Failures++;
                var backoff = Math.Min(_config.ReconnectBackoffMaxMs,
                    _config.ReconnectBackoffMs * Math.Pow(2, Math.Min(slot.Failures - 1, 20)));
                // Jitter of ±20%, so clients do not reconnect in lockstep.
                backoff *= 0.8 + Random.Shared.NextDouble() * 0.4;
                slot.NextAttempt = _time.GetUtcNow().UtcDateTime.AddMilliseconds(backoff);
                if (nodeId >= 0) RequestMetadataUpdate();
                _logger.LogDebug(e, "Connecting to broker {NodeId} at {Host}:{Port} failed.", nodeId, host, port);
                throw;
            }
            slot.Failures = 0;
            slot.Connection = connection;
            return connection;
        }
        finally
        {
            slot.Lock.Release();
        }
    }

    /// <summary>
    /// A separate connection id for a group or transaction coordinator, so its requests never wait
    /// behind long-polling fetches on the broker's per-connection queue.
    /// </summary>
    public int RegisterCoordinator(int nodeId, string host, int port)
    {
        var id = int.MaxValue - nodeId;
        lock (_extraNodes) _extraNodes[id] = (host, port);
        return id;
    }

    private bool TryGetExtraNode(int id, out (string Host, int Port) endpoint)
    {
        lock (_extraNodes) return _extraNodes.TryGetValue(id, out endpoint);
    }

    /// <summary>Closes a connection (after a coordinator moved, for instance).</summary>
    public async Task CloseConnectionAsync(int nodeId)
    {
        BrokerConnection? connection = null;
        lock (_connections)
        {
            if (_connections.TryGetValue(nodeId, out var slot))
            {
                connection = slot.Connection;
                slot.Connection = null;
            }
        }
        if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends to a broker chosen by the caller, picking the version.</summary>
    public Task<TResponse> SendAsync<TRequest, TResponse>(int nodeId, TRequest request, CancellationToken cancellationToken)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse> =>
        SendAsync<TRequest, TResponse>(nodeId, _ => request, cancellationToken);

    /// <summary>
    /// Sends a request built for the version picked (fields differ between versions);
    /// <paramref name="timeout"/> replaces request.timeout.ms for this request.
    /// </summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(int nodeId, Func<short, TRequest> build, CancellationToken cancellationToken,
        TimeSpan? timeout = null)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var connection = await GetConnectionAsync(nodeId, cancellationToken).ConfigureAwait(false);
        var version = connection.PickVersion(TRequest.ApiKey, MaxVersion(TRequest.ApiKey));
        return await connection.SendAsync<TRequest, TResponse>(build(version), version, cancellationToken, timeout).ConfigureAwait(false);
    }

    /// <summary>Sends to any reachable broker: known brokers first, then the bootstrap list.</summary>
    public async Task<TResponse> SendToAnyAsync<TRequest, TResponse>(TRequest request, CancellationToken cancellationToken)
        where TRequest : class, IKafkaApiMessage<TRequest>
        where TResponse : class, IKafkaApiMessage<TResponse>
    {
        var candidates = new List<int>();
        lock (_connections)
        {
            foreach (var (id, slot) in _connections)
            {
                if (id >= 0 && slot.Connection is { IsAlive: true }) candidates.Add(id);
            }
        }
        foreach (var id in _metadata.Brokers.Keys)
        {
            if (!candidates.Contains(id)) candidates.Add(id);
        }
        var start = Interlocked.Increment(ref _bootstrapIndex);
        for (var i = 0; i < _bootstrap.Length; i++) candidates.Add(-1 - (start + i) % _bootstrap.Length);

        Exception? last = null;
        foreach (var id in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await SendAsync<TRequest, TResponse>(id, request, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e is KafkaNetworkException or KafkaTimeoutException || e.ErrorCode == ErrorCode.BrokerNotAvailable)
            {
                last = e;
            }
        }
        throw new KafkaNetworkException(
            $"No broker reachable (bootstrap.servers={_config.BootstrapServers}): {last?.Message}", last);
    }

    public async ValueTask DisposeAsync()
    {
        List<BrokerConnection> toClose = [];
        lock (_connections)
        {
            _disposed = true;
            foreach (var slot in _connections.Values)
            {
                if (slot.Connection is { } c) toClose.Add(c);
            }
            _connections.Clear();
        }
        foreach (var c in toClose) await c.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class ConnectionSlot
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public BrokerConnection? Connection { get; set; }
        public int Failures { get; set; }
        public DateTime NextAttempt { get; set; }
    }
}
