using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Metadata.Log;
using Samsa.Protocol;

namespace Samsa.Metadata;

/// <summary>Settings for <see cref="MetadataQuorum.StartAsync"/>, with Kafka's config names.</summary>
public sealed class MetadataQuorumOptions
{
    /// <summary><c>node.id</c>.</summary>
    public required int NodeId { get; init; }

    /// <summary>The first entry of <c>log.dirs</c>; the metadata log lives in its <c>__cluster_metadata-0</c>.</summary>
    public required string LogDirectory { get; init; }

    /// <summary><c>controller.quorum.voters</c> (see <see cref="QuorumVoter.ParseList"/>); one voter = a quorum of one.</summary>
    public required IReadOnlyList<QuorumVoter> Voters { get; init; }

    /// <summary>This broker's advertised listeners, registered in the metadata log (what Metadata responses show).</summary>
    public IReadOnlyList<BrokerEndpoint> Listeners { get; init; } = [];

    /// <summary><c>broker.rack</c>.</summary>
    public string? Rack { get; init; }

    /// <summary><c>num.partitions</c>.</summary>
    public int DefaultNumPartitions { get; init; } = 1;

    /// <summary><c>default.replication.factor</c>.</summary>
    public short DefaultReplicationFactor { get; init; } = 1;

    /// <summary><c>delete.topic.enable</c>.</summary>
    public bool DeleteTopicEnable { get; init; } = true;

    /// <summary>Values set in server.properties (shown as STATIC_BROKER_CONFIG by DescribeConfigs).</summary>
    public IReadOnlyDictionary<string, string>? StaticBrokerConfig { get; init; }

    public int SnapshotIntervalEntries { get; init; } = 1000;

    /// <summary>How long <see cref="MetadataQuorum.StartAsync"/> waits for a leader.</summary>
    public TimeSpan LeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>
/// The metadata layer of one node, assembled: the Raft-ordered metadata log, the image built from it,
/// the controller and the producer id manager. The server starts it before opening listeners; request
/// handlers read <see cref="Image"/> and call <see cref="Controller"/>.
/// <para>
/// To see every image from the first one (snapshot load and replay at start included), create it
/// with <see cref="Create"/>, subscribe to <see cref="ImageChanged"/>, then call <see cref="StartAsync(CancellationToken)"/>.
/// </para>
/// </summary>
public sealed class MetadataQuorum : IAsyncDisposable
{
    private readonly MetadataQuorumOptions options;
    private readonly ILogger logger;
    private int started;

    private MetadataQuorum(MetadataQuorumOptions options)
    {
        this.options = options;
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        logger = loggers.CreateLogger<MetadataQuorum>();
        Log = new RaftMetadataLog(new MetadataLogOptions
        {
            Directory = Path.Combine(options.LogDirectory, MetadataLogOptions.DirectoryName),
            NodeId = options.NodeId,
            Voters = options.Voters,
            SnapshotIntervalEntries = options.SnapshotIntervalEntries,
            LoggerFactory = options.LoggerFactory,
        });
        Loader = new MetadataLoader(loggers.CreateLogger<MetadataLoader>());
        Controller = new QuorumController(Log, Loader, new QuorumControllerOptions
        {
            NodeId = options.NodeId,
            DefaultNumPartitions = options.DefaultNumPartitions,
            DefaultReplicationFactor = options.DefaultReplicationFactor,
            DeleteTopicEnable = options.DeleteTopicEnable,
            StaticBrokerConfig = options.StaticBrokerConfig,
        }, loggers.CreateLogger<QuorumController>());
        ProducerIds = new ProducerIdManager(ct => Controller.AllocateProducerIdsAsync(Log.NodeId, BrokerEpoch, ct));
        Log.LeaderChanged += OnLeaderChanged;
    }

    public IMetadataLog Log { get; }

    public MetadataLoader Loader { get; }

    public QuorumController Controller { get; }

    public ProducerIdManager ProducerIds { get; }

    /// <summary>The current image; read it once per request (lock-free).</summary>
    public MetadataImage Image => Loader.Current;

    /// <summary>Raised after every new image (see <see cref="MetadataLoader.ImageChanged"/>), on the log's apply thread.</summary>
    public event EventHandler<MetadataImageChangedEventArgs>? ImageChanged
    {
        add => Loader.ImageChanged += value;
        remove => Loader.ImageChanged -= value;
    }

    /// <summary>This broker's epoch from its registration.</summary>
    public long BrokerEpoch { get; private set; } = -1;

    /// <summary>Identifies this process's registration (a new one per start).</summary>
    public Guid IncarnationId { get; } = Guid.NewGuid();

    /// <summary>Builds the metadata layer without starting it (nothing is opened yet).</summary>
    public static MetadataQuorum Create(MetadataQuorumOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new MetadataQuorum(options);
    }

    /// <summary><see cref="Create"/> then <see cref="StartAsync(CancellationToken)"/>; disposes the quorum when the start fails.</summary>
    public static async Task<MetadataQuorum> StartAsync(MetadataQuorumOptions options, CancellationToken cancellationToken = default)
    {
        var quorum = Create(options);
        try
        {
            await quorum.StartAsync(cancellationToken).ConfigureAwait(false);
            return quorum;
        }
        catch
        {
            await quorum.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Opens the metadata log, rebuilds the image (snapshot + replay), waits for a leader and, on the
    /// leader, bootstraps a new cluster and registers this broker. Returns when the image is current.
    /// </summary>
    /// <exception cref="TimeoutException">No leader within <see cref="MetadataQuorumOptions.LeaderTimeout"/>.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref started, 1) != 0)
            throw new InvalidOperationException("The metadata quorum is already started");
        await Log.StartAsync(Loader, cancellationToken).ConfigureAwait(false);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.LeaderTimeout);
            try
            {
                await Log.WaitForLeaderAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No metadata quorum leader within {options.LeaderTimeout.TotalSeconds:0}s (controller.quorum.voters: {string.Join(',', options.Voters)})");
            }
        }

        if (Log.IsLeader)
        {
            var bootstrap = await Controller.BootstrapAsync(cancellationToken).ConfigureAwait(false);
            if (bootstrap != ErrorCode.None)
                throw new InvalidOperationException($"Bootstrapping the metadata log failed: {bootstrap}");
            var (error, epoch) = await Controller.RegisterBrokerAsync(
                new BrokerRegistrationRequest(options.NodeId, IncarnationId, options.Listeners, options.Rack), cancellationToken).ConfigureAwait(false);
            if (error != ErrorCode.None)
                throw new InvalidOperationException($"Registering broker {options.NodeId} failed: {error}");
            BrokerEpoch = epoch;
        }

        logger.LogInformation("Metadata quorum ready: node {NodeId}, leader {LeaderId}, offset {Offset}, {Topics} topic(s)",
            options.NodeId, Log.LeaderId, Image.Offset, Image.TopicsById.Count);
    }

    /// <summary>A node that wins leadership later (multi-node quorum) makes sure the log is bootstrapped.</summary>
    private void OnLeaderChanged(object? sender, MetadataLeaderChangedEventArgs e)
    {
        if (e.IsLocal && Volatile.Read(ref started) == 1)
            _ = BootstrapQuietlyAsync();
    }

    private async Task BootstrapQuietlyAsync()
    {
        try
        {
            var error = await Controller.BootstrapAsync().ConfigureAwait(false);
            if (error != ErrorCode.None)
                logger.LogWarning("Bootstrapping the metadata log after a leader change failed: {Error}", error);
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Log.LeaderChanged -= OnLeaderChanged;
        await Controller.DisposeAsync().ConfigureAwait(false);
        await Log.DisposeAsync().ConfigureAwait(false);
        ProducerIds.Dispose();
    }
}
