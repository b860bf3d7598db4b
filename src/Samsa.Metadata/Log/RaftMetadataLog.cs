using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Metadata.Records;

namespace Samsa.Metadata.Log;

/// <summary>
/// <see cref="IMetadataLog"/> over a DotNext Raft node (TCP transport, fixed voter list).
/// On disk, under <see cref="MetadataLogOptions.Directory"/>:
/// <code>
/// wal/         DotNext write-ahead log pages (entries = MetadataBatchCodec payloads)
/// snapshots/   &lt;index&gt;-&lt;term&gt; files in MetadataSnapshotFormat; older ones are reclaimed by the WAL
/// </code>
/// Thread-safety: every member may be called from any thread.
/// </summary>
public sealed class RaftMetadataLog : IMetadataLog
{
    private readonly MetadataLogOptions options;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<long>> pending = new();
    private readonly Dictionary<EndPoint, int> nodeIdsByEndPoint = [];
    private readonly Lock leaderLock = new();
    private MetadataStateMachine? stateMachine;
    private WriteAheadLog? wal;
    private RaftCluster? cluster;
    private volatile int leaderId = -1;
    private volatile bool isLeader;
    private int disposed;

    public RaftMetadataLog(MetadataLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Voters.Any(v => v.NodeId == options.NodeId))
            throw new ArgumentException($"node.id {options.NodeId} is not among controller.quorum.voters ({string.Join(',', options.Voters)})", nameof(options));
        if (options.SnapshotIntervalEntries < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "SnapshotIntervalEntries must be positive");
        this.options = options;
        logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<RaftMetadataLog>();
    }

    public int NodeId => options.NodeId;

    public bool IsLeader => isLeader;

    public int LeaderId => leaderId;

    public long LastAppliedOffset => stateMachine?.LastApplied ?? -1;

    public event EventHandler<MetadataLeaderChangedEventArgs>? LeaderChanged;

    public async Task StartAsync(IMetadataLogListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        if (cluster is not null)
            throw new InvalidOperationException("The metadata log is already started");

        var root = Directory.CreateDirectory(options.Directory);
        var snapshots = Directory.CreateDirectory(Path.Combine(root.FullName, "snapshots"));
        RemoveStaleSnapshotFiles(snapshots);

        // Order matters: the snapshot is restored before the WAL opens, so the WAL replays only the tail.
        stateMachine = new MetadataStateMachine(snapshots, listener, OnApplied, options.SnapshotIntervalEntries, logger);
        await stateMachine.RestoreAsync(cancellationToken).ConfigureAwait(false);
        wal = new WriteAheadLog(new WriteAheadLog.Options { Location = Path.Combine(root.FullName, "wal") }, stateMachine);
        await wal.InitializeAsync(cancellationToken).ConfigureAwait(false);
        // Replay of the committed tail runs in the background; the image must be whole before we return.
        await wal.WaitForApplyAsync(wal.LastCommittedEntryIndex, cancellationToken).ConfigureAwait(false);

        var storage = new EndPointConfigurationStorage();
        var builder = storage.CreateInitialConfigurationBuilder();
        IPEndPoint? local = null;
        foreach (var voter in options.Voters)
        {
            var endPoint = voter.ResolveEndPoint();
            nodeIdsByEndPoint[endPoint] = voter.NodeId;
            builder.Add(endPoint);
            if (voter.NodeId == options.NodeId)
                local = endPoint;
        }

        builder.Build();
        cluster = new RaftCluster(new RaftCluster.TcpConfiguration(local!)
        {
            ConfigurationStorage = storage,
            ColdStart = false,
            LowerElectionTimeout = options.LowerElectionTimeoutMs,
            UpperElectionTimeout = options.UpperElectionTimeoutMs,
            LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance,
        })
        {
            AuditTrail = wal,
        };
        cluster.LeaderChanged += OnLeaderChanged;
        try
        {
            await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new InvalidOperationException(
                $"The metadata quorum cannot listen on {local} (node {options.NodeId} in controller.quorum.voters): {e.Message}", e);
        }
        logger.LogInformation("Metadata log open at {Directory} (node {NodeId}, voters {Voters}, last applied offset {Offset})",
            root.FullName, options.NodeId, string.Join(',', options.Voters), LastAppliedOffset);
    }

    public async Task WaitForLeaderAsync(CancellationToken cancellationToken)
    {
        var node = cluster ?? throw new InvalidOperationException("The metadata log is not started");
        while (leaderId < 0)
        {
            var leader = await node.WaitForLeaderAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            if (leader is not null)
                UpdateLeader(leader);
        }
    }

    public async ValueTask<long> AppendAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var node = cluster ?? throw new InvalidOperationException("The metadata log is not started");
        if (!isLeader)
            throw new NotControllerException(NodeId, leaderId);

        var appendId = Guid.NewGuid();
        var applied = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[appendId] = applied;
        try
        {
            var payload = new ArrayBufferWriter<byte>(256);
            MetadataBatchCodec.Write(payload, appendId, records);
            try
            {
                await node.ReplicateAsync(payload.WrittenMemory, null, cancellationToken).ConfigureAwait(false);
            }
            catch (NotLeaderException e)
            {
                throw new NotControllerException(NodeId, leaderId, e);
            }

            return await applied.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pending.TryRemove(appendId, out _);
        }
    }

    private void OnApplied(Guid appendId, long offset, Exception? error)
    {
        if (!pending.TryGetValue(appendId, out var waiter))
            return;
        if (error is null)
            waiter.TrySetResult(offset);
        else
            waiter.TrySetException(new InvalidOperationException($"Metadata batch at offset {offset} could not be applied: {error.Message}", error));
    }

    private void OnLeaderChanged(ICluster sender, IClusterMember? leader) => UpdateLeader(leader);

    private void UpdateLeader(IClusterMember? leader)
    {
        int newId;
        bool local;
        if (leader is null)
        {
            newId = -1;
            local = false;
        }
        else
        {
            local = !leader.IsRemote;
            newId = local ? options.NodeId : nodeIdsByEndPoint.GetValueOrDefault(leader.EndPoint, -1);
        }

        lock (leaderLock)
        {
            if (newId == leaderId && local == isLeader)
                return;
            leaderId = newId;
            isLeader = local;
        }

        logger.LogInformation("Metadata quorum leader is now {LeaderId}{Local}", newId, local ? " (this node)" : "");
        LeaderChanged?.Invoke(this, new MetadataLeaderChangedEventArgs(newId, local));
    }

    /// <summary>
    /// Snapshot files are named &lt;index&gt;-&lt;term&gt;; anything else there is a snapshot that was
    /// being written when the process stopped. It was never used, so it goes.
    /// </summary>
    private void RemoveStaleSnapshotFiles(DirectoryInfo snapshots)
    {
        foreach (var file in snapshots.EnumerateFiles())
        {
            var parts = file.Name.Split('-');
            if (parts.Length == 2 && long.TryParse(parts[0], out _) && long.TryParse(parts[1], out _))
                continue;
            logger.LogInformation("Removing unfinished metadata snapshot file {File}", file.Name);
            file.Delete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        if (cluster is not null)
        {
            cluster.LeaderChanged -= OnLeaderChanged;
            await cluster.StopAsync(CancellationToken.None).ConfigureAwait(false);
            cluster.Dispose();
        }

        isLeader = false;
        leaderId = -1;
        if (wal is not null)
            await wal.DisposeAsync().ConfigureAwait(false);
        if (stateMachine is not null)
            await stateMachine.DisposeAsync().ConfigureAwait(false);
        foreach (var waiter in pending.Values)
            waiter.TrySetException(new ObjectDisposedException(nameof(RaftMetadataLog)));
    }
}
