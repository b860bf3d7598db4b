using System.Buffers;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using Samsa.Metadata.Records;

namespace Samsa.Metadata.Log;

/// <summary>
/// Glue between DotNext's WAL and our listener: decodes committed entries into record batches, hands
/// them to the listener one at a time, completes the waiting appender, and every
/// <c>snapshotInterval</c> entries captures the (immutable) state for a snapshot file.
/// Not thread-safe by itself: the WAL never calls ApplyAsync concurrently.
/// </summary>
internal sealed class MetadataStateMachine(
    DirectoryInfo snapshotDirectory,
    IMetadataLogListener listener,
    Action<Guid, long, Exception?> onApplied,
    int snapshotInterval,
    ILogger logger) : SimpleStateMachine(snapshotDirectory)
{
    private long lastApplied = -1;
    private int sinceSnapshot;
    private (long Offset, IEnumerable<MetadataRecord> Records)? captured;

    public long LastApplied => Volatile.Read(ref lastApplied);

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        var index = entry.Index;
        if (!entry.IsConfiguration && entry.TryGetPayload(out var sequence) && !sequence.IsEmpty)
        {
            var payload = sequence.IsSingleSegment ? sequence.First : sequence.ToArray();
            if (MetadataBatchCodec.IsMetadataBatch(payload.Span))
                ApplyBatch(index, payload);
        }

        Volatile.Write(ref lastApplied, index);
        if (++sinceSnapshot < snapshotInterval)
            return ValueTask.FromResult(false);

        sinceSnapshot = 0;
        captured = (index, listener.CaptureSnapshot());
        return ValueTask.FromResult(true);
    }

    private void ApplyBatch(long index, ReadOnlyMemory<byte> payload)
    {
        Guid appendId = default;
        try
        {
            (appendId, var records) = MetadataBatchCodec.Read(payload);
            listener.OnCommit(index, records);
            onApplied(appendId, index, null);
        }
        catch (Exception e)
        {
            // The batch is skipped as a whole (the listener applies batches atomically); every node
            // skips it the same way, so replicas stay identical.
            logger.LogError(e, "Metadata log entry {Index} could not be applied and was skipped", index);
            if (appendId != default)
                onApplied(appendId, index, e);
        }
    }

    protected override async ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        var (offset, records) = captured ?? throw new InvalidOperationException("No state captured for the snapshot");
        var bytes = MetadataSnapshotFormat.Write(offset, records);
        await writer.Invoke(bytes, token).ConfigureAwait(false);
    }

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        var bytes = await File.ReadAllBytesAsync(snapshotFile.FullName, token).ConfigureAwait(false);
        long offset;
        List<MetadataRecord> records;
        try
        {
            (offset, records) = MetadataSnapshotFormat.Read(bytes);
        }
        catch (Samsa.Protocol.KafkaProtocolException e)
        {
            throw new InvalidDataException($"Metadata snapshot {snapshotFile.FullName} is unreadable: {e.Message}", e);
        }

        listener.OnSnapshotLoad(offset, records);
        Volatile.Write(ref lastApplied, offset);
        logger.LogInformation("Loaded metadata snapshot {File} at offset {Offset} ({Count} records)", snapshotFile.Name, offset, records.Count);
    }
}
