using Samsa.Metadata.Records;

namespace Samsa.Metadata.Log;

/// <summary>
/// A metadata log in memory, for tests of code above the log: appends apply at once, in order.
/// Leadership can be taken away to test NOT_CONTROLLER paths. Thread-safe.
/// </summary>
public sealed class InMemoryMetadataLog(int nodeId = 1) : IMetadataLog
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<IReadOnlyList<MetadataRecord>> batches = [];
    private IMetadataLogListener? listener;
    private volatile bool isLeader = true;
    private long lastApplied = -1;

    public int NodeId { get; } = nodeId;

    public bool IsLeader => isLeader;

    public int LeaderId => isLeader ? NodeId : -1;

    public long LastAppliedOffset => Interlocked.Read(ref lastApplied);

    /// <summary>Every batch appended so far, in order.</summary>
    public IReadOnlyList<IReadOnlyList<MetadataRecord>> Batches
    {
        get
        {
            lock (batches)
                return [.. batches];
        }
    }

    public event EventHandler<MetadataLeaderChangedEventArgs>? LeaderChanged;

    public Task StartAsync(IMetadataLogListener listener, CancellationToken cancellationToken)
    {
        this.listener = listener;
        LeaderChanged?.Invoke(this, new MetadataLeaderChangedEventArgs(NodeId, true));
        return Task.CompletedTask;
    }

    public Task WaitForLeaderAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Simulates losing (false) or winning (true) the leadership.</summary>
    public void SetLeader(bool leader)
    {
        isLeader = leader;
        LeaderChanged?.Invoke(this, new MetadataLeaderChangedEventArgs(leader ? NodeId : -1, leader));
    }

    public async ValueTask<long> AppendAsync(IReadOnlyList<MetadataRecord> records, CancellationToken cancellationToken)
    {
        var target = listener ?? throw new InvalidOperationException("The metadata log is not started");
        if (!isLeader)
            throw new NotControllerException(NodeId, -1);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Round-trip through the codec so tests see exactly what a real log would apply.
            var payload = new System.Buffers.ArrayBufferWriter<byte>();
            MetadataBatchCodec.Write(payload, Guid.NewGuid(), records);
            var (_, decoded) = MetadataBatchCodec.Read(payload.WrittenMemory);
            var offset = Interlocked.Read(ref lastApplied) + 1;
            target.OnCommit(offset, decoded);
            lock (batches)
                batches.Add(decoded);
            Interlocked.Exchange(ref lastApplied, offset);
            return offset;
        }
        finally
        {
            gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        isLeader = false;
        gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
