using Samsa.Storage.Files;

using Samsa.Protocol;

namespace Samsa.Storage;

/// <summary>
/// The answer to <see cref="PartitionLog.Read"/>: an error, or a (possibly empty) file region plus
/// the log's offsets at the time of the read. Dispose it once the region has been sent: it holds a
/// lease that keeps the segment file open even if the segment is deleted meanwhile.
/// </summary>
public sealed class LogReadResult : IDisposable
{
    private SegmentFile? _lease;

    internal LogReadResult(ErrorCode error, string? message, FileRegion? region, SegmentFile? lease,
        long logStartOffset, long logEndOffset, long highWatermark)
    {
        Error = error;
        ErrorMessage = message;
        Region = region;
        _lease = lease;
        LogStartOffset = logStartOffset;
        LogEndOffset = logEndOffset;
        HighWatermark = highWatermark;
    }

    public ErrorCode Error { get; }
    public string? ErrorMessage { get; }
    /// <summary>The batches to send; null when there is nothing to read at the fetch offset.</summary>
    public FileRegion? Region { get; }
    public long LogStartOffset { get; }
    public long LogEndOffset { get; }
    public long HighWatermark { get; }

    public int Length => Region?.Length ?? 0;

    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Release();
}
