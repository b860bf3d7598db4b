using Samsa.Metadata.Records;

namespace Samsa.Metadata.Log;

/// <summary>
/// The replicated, ordered log of metadata records (Kafka's <c>__cluster_metadata</c>). Entries are
/// batches of records; each batch is applied atomically, in log order, to the registered
/// <see cref="IMetadataLogListener"/>. Implementations: <see cref="RaftMetadataLog"/> (a Raft quorum)
/// and <see cref="InMemoryMetadataLog"/> (tests).
/// </summary>
public interface IMetadataLog : IAsyncDisposable
{
    /// <summary>This node's id (Kafka's <c>node.id</c>).</summary>
    int NodeId { get; }

    /// <summary>True while this node is the active controller (the Raft leader).</summary>
    bool IsLeader { get; }

    /// <summary>The node id of the current leader, or -1 while none is known.</summary>
    int LeaderId { get; }

    /// <summary>The offset (Raft index) of the last batch applied to the listener; -1 before any.</summary>
    long LastAppliedOffset { get; }

    /// <summary>Raised when the leader changes (also with -1 while an election runs).</summary>
    event EventHandler<MetadataLeaderChangedEventArgs>? LeaderChanged;

    /// <summary>
    /// Opens the log: loads the newest snapshot and replays the tail into <paramref name="listener"/>,
    /// then joins the quorum. Returns once the log is open; leadership may come later
    /// (<see cref="WaitForLeaderAsync"/>).
    /// </summary>
    Task StartAsync(IMetadataLogListener listener, CancellationToken cancellationToken);

    /// <summary>Completes once some node (this one or another) leads the quorum.</summary>
    Task WaitForLeaderAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Replicates one batch and waits until it is committed and applied to the listener here
    /// (read-your-writes). Returns the batch's offset.
    /// </summary>
    /// <exception cref="NotControllerException">This node is not the leader.</exception>
    ValueTask<long> AppendAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken);
}

/// <summary>Receives committed batches and snapshots, one call at a time, in log order.</summary>
public interface IMetadataLogListener
{
    /// <summary>Applies one committed batch. Must not throw for any well-formed batch.</summary>
    void OnCommit(long offset, IReadOnlyList<MetadataRecord> records);

    /// <summary>Replaces the whole state with the records of a snapshot taken at <paramref name="offset"/>.</summary>
    void OnSnapshotLoad(long offset, IReadOnlyList<MetadataRecord> records);

    /// <summary>
    /// The current state as records (what a snapshot holds). Called right after <see cref="OnCommit"/>;
    /// the result is enumerated later, on another thread, so it must come from immutable state.
    /// </summary>
    IEnumerable<MetadataRecord> CaptureSnapshot();
}

/// <summary>Who leads the metadata quorum now.</summary>
public sealed class MetadataLeaderChangedEventArgs(int leaderId, bool isLocal) : EventArgs
{
    /// <summary>The new leader's node id, or -1 when there is no leader (an election is running).</summary>
    public int LeaderId { get; } = leaderId;

    /// <summary>True when this node became the leader.</summary>
    public bool IsLocal { get; } = isLocal;
}
