using System.Buffers;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;
using Samsa.Storage.Checkpoints;

namespace Samsa.Storage;

/// <summary>What one cleaning of one partition did.</summary>
public sealed record CleanerStats(TopicPartition Partition, long FirstDirtyOffset, long EndOffset, long BytesRead, long BytesWritten,
    long RecordsRead, long RecordsKept, long TombstonesDropped, int SegmentsBefore, int SegmentsAfter);

/// <summary>
/// Kafka's log cleaner: compaction of logs whose <c>cleanup.policy</c> includes <c>compact</c>.
/// <para>One background task takes, on each pass, the log with the highest dirty ratio (bytes after
/// the cleaner checkpoint / bytes below the active segment) at or above <c>min.cleanable.dirty.ratio</c>,
/// and sleeps <c>log.cleaner.backoff.ms</c> when there is none. Cleaning a log: an offset map
/// (key hash → last offset) is built over the dirty section, then every closed segment from the log
/// start up to the first uncleanable one (the active segment, a segment above the high watermark or
/// younger than <c>min.compaction.lag.ms</c>) is rewritten in groups of at most <c>segment.bytes</c>,
/// keeping a record only if no later record has its key. Offsets, batch base offsets, producer
/// id/epoch/base sequence, leader epoch, compression and the transactional flag are kept; control
/// batches are copied as they are; keyless records are dropped.</para>
/// <para>Tombstones follow Kafka's delete horizon (KIP-534): the first pass that keeps a tombstone
/// rewrites its batch with attribute bit 6 set and the base timestamp holding now +
/// <c>delete.retention.ms</c>; a later pass after that time drops the tombstone. A log with an expired
/// horizon is cleaned even when its dirty ratio is low (remembered in memory; after a restart new
/// writes bring it back).</para>
/// <para>Each group is written to <c>*.cleaned</c> files, fsync'd, renamed to <c>*.swap</c> and then
/// swapped in by <see cref="PartitionLog.ReplaceSegments"/>; the loader deletes leftover
/// <c>.cleaned</c> files and finishes leftover swaps. <c>cleaner-offset-checkpoint</c> in the log
/// directory (the offset checkpoint format) holds each partition's first dirty offset.</para>
/// <para>Not built: the dedupe buffer bound (the offset map holds every dirty key, 24 bytes each),
/// I/O throttling (<c>log.cleaner.io.max.bytes.per.second</c>), more than one cleaner thread, and
/// keeping a producer's last batch when all its records are cleaned away.</para>
/// Thread-safety: one pass at a time (a lock); safe to call from tests while the task runs.
/// </summary>
public sealed class LogCleaner : IDisposable
{
    public const string CheckpointFile = "cleaner-offset-checkpoint";

    private const int WriteChunk = 1024 * 1024;

    private readonly LogManager _manager;
    private readonly ILogger _logger;
    private readonly Lock _passGate = new();
    private readonly Dictionary<TopicPartition, long> _firstDirty;
    private readonly Dictionary<TopicPartition, long> _tombstoneHorizon = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _passes;

    internal LogCleaner(LogManager manager)
    {
        _manager = manager;
        _logger = manager.Logger;
        _firstDirty = OffsetCheckpointFile.Read(Path.Combine(manager.LogDir, CheckpointFile));
    }

    /// <summary>Cleaning passes that cleaned something, since start.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>The first offset not yet cleaned, per partition (the checkpoint's content).</summary>
    public long? FirstDirtyOffset(TopicPartition tp)
    {
        lock (_passGate)
        {
            return _firstDirty.TryGetValue(tp, out long o) ? o : null;
        }
    }

    internal void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            bool cleaned = false;
            try
            {
                cleaned = CleanOnce() is not null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
                or KafkaProtocolException or InvalidDataException or ObjectDisposedException or KafkaStorageException)
            {
                _logger.LogError(e, "log cleaner pass failed");
            }
            if (!cleaned)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, _manager.Options.CleanerBackoffMs)), _manager.Time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Cleans the dirtiest cleanable log, if any; null when no log needed it.</summary>
    public CleanerStats? CleanOnce()
    {
        lock (_passGate)
        {
            long now = NowMs;
            PartitionLog? best = null;
            double bestRatio = -1;
            foreach (PartitionLog log in _manager.Logs)
            {
                if (!log.IsLoaded || log.IsOffline || !log.Config.Compact)
                {
                    continue;
                }
                if (Measure(log, now) is not { } m)
                {
                    continue;
                }
                bool horizonDue = _tombstoneHorizon.TryGetValue(log.TopicPartition, out long h) && h <= now;
                double ratio = m.DirtyBytes == 0 ? 0 : (double)m.DirtyBytes / (m.CleanBytes + m.DirtyBytes);
                bool due = (m.DirtyBytes > 0 && ratio >= log.Config.MinCleanableDirtyRatio) || horizonDue;
                if (due && ratio > bestRatio)
                {
                    best = log;
                    bestRatio = ratio;
                }
            }
            return best is null ? null : CleanLocked(best, now);
        }
    }

    /// <summary>Cleans one log now, whatever its dirty ratio (tests, tools); null when nothing is cleanable.</summary>
    public CleanerStats? Clean(PartitionLog log)
    {
        lock (_passGate)
        {
            return log.Config.Compact && !log.IsOffline ? CleanLocked(log, NowMs) : null;
        }
    }

    private long NowMs => _manager.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private readonly record struct Section(LogSegment[] Segments, int Cleanable, long FirstDirty, long EndOffset, long CleanBytes, long DirtyBytes);

    /// <summary>The cleanable closed segments and how much of them is dirty; null when none.</summary>
    private Section? Measure(PartitionLog log, long now)
    {
        (LogSegment[] segs, long logStart, long hw, long logEnd) = log.CleanerView();
        LogConfig config = log.Config;
        int n = 0;
        while (n < segs.Length - 1)
        {
            if (segs[n + 1].BaseOffset > hw)
            {
                break;
            }
            if (config.MinCompactionLagMs > 0 && segs[n].LargestTimestamp > now - config.MinCompactionLagMs)
            {
                break;
            }
            n++;
        }
        if (n == 0)
        {
            return null;
        }
        long firstDirty = _firstDirty.TryGetValue(log.TopicPartition, out long cp) ? cp : logStart;
        if (firstDirty < logStart || firstDirty > logEnd)
        {
            firstDirty = logStart; // the log was truncated or its start moved past the checkpoint
        }
        long clean = 0, dirty = 0;
        for (int i = 0; i < n; i++)
        {
            if (segs[i + 1].BaseOffset <= firstDirty)
            {
                clean += segs[i].Size;
            }
            else
            {
                dirty += segs[i].Size;
            }
        }
        return new Section(segs, n, firstDirty, segs[n].BaseOffset, clean, dirty);
    }

    private CleanerStats? CleanLocked(PartitionLog log, long now)
    {
        if (Measure(log, now) is not { } section)
        {
            return null;
        }
        LogConfig config = log.Config;
        TopicPartition tp = log.TopicPartition;
        var map = new Dictionary<UInt128, long>();
        long bytesRead = 0, recordsRead = 0, recordsKept = 0, tombstonesDropped = 0, bytesWritten = 0;

        // 1. Offset map over the dirty section: the last offset of every key.
        for (int i = 0; i < section.Cleanable; i++)
        {
            LogSegment seg = section.Segments[i];
            if (section.Segments[i + 1].BaseOffset <= section.FirstDirty)
            {
                continue;
            }
            if (!ForEachBatch(seg, batch =>
            {
                var rb = new RecordBatch(batch);
                if (rb.IsControl || rb.LastOffset < section.FirstDirty)
                {
                    return;
                }
                foreach (Record r in rb.GetRecords())
                {
                    if (r.HasKey && r.Offset >= section.FirstDirty)
                    {
                        map[XxHash128.HashToUInt128(r.Key)] = r.Offset;
                    }
                }
            }))
            {
                return null; // a segment went away under us (retention, truncation): try again next pass
            }
        }

        // 2. Rewrite the cleanable segments in groups, each swapped in as soon as it is written.
        long minHorizon = long.MaxValue;
        int segmentsBefore = section.Segments.Length;
        int removed = 0;
        using var builder = new RecordBatchBuilder();
        var output = new ArrayBufferWriter<byte>(WriteChunk);
        try
        {
            int g = 0;
            while (g < section.Cleanable)
            {
                int end = g + 1;
                long groupBytes = section.Segments[g].Size;
                while (end < section.Cleanable && groupBytes + section.Segments[end].Size <= config.SegmentBytes
                    && section.Segments[end + 1].BaseOffset - section.Segments[g].BaseOffset <= int.MaxValue)
                {
                    groupBytes += section.Segments[end].Size;
                    end++;
                }
                LogSegment[] group = section.Segments[g..end];
                LogSegment cleaned = LogSegment.CreateWithSuffix(log.Directory, group[0].BaseOffset, config, _manager.HandleCache, now, LogFileNames.CleanedSuffix);
                bool ok = true;
                try
                {
                    foreach (LogSegment src in group)
                    {
                        bytesRead += src.Size;
                        ok = ForEachBatch(src, batch =>
                        {
                            FilterBatch(batch, map, now, config, builder, output, ref recordsRead, ref recordsKept, ref tombstonesDropped, ref minHorizon);
                            if (output.WrittenCount >= WriteChunk)
                            {
                                bytesWritten += Flush(cleaned, output, now);
                            }
                        });
                        if (!ok)
                        {
                            break;
                        }
                    }
                    if (ok)
                    {
                        bytesWritten += Flush(cleaned, output, now);
                        cleaned.OnBecomeInactive();
                        cleaned.RenameFiles(LogFileNames.CleanedSuffix, LogFileNames.SwapSuffix);
                        ok = log.ReplaceSegments(group, cleaned);
                    }
                }
                catch
                {
                    Discard(cleaned);
                    throw;
                }
                if (!ok)
                {
                    Discard(cleaned);
                    return null;
                }
                removed += group.Length - 1;
                g = end;
            }
        }
        finally
        {
            output.ResetWrittenCount();
        }

        _firstDirty[tp] = section.EndOffset;
        if (minHorizon != long.MaxValue)
        {
            _tombstoneHorizon[tp] = minHorizon;
        }
        else
        {
            _tombstoneHorizon.Remove(tp);
        }
        WriteCheckpoint();
        Interlocked.Increment(ref _passes);
        var stats = new CleanerStats(tp, section.FirstDirty, section.EndOffset, bytesRead, bytesWritten, recordsRead, recordsKept,
            tombstonesDropped, segmentsBefore, segmentsBefore - removed);
        _logger.LogInformation("{Partition}: cleaned offsets up to {End}: {Read} bytes read, {Written} written, {Kept}/{Records} records kept, {Tombstones} tombstones dropped",
            tp, section.EndOffset, bytesRead, bytesWritten, recordsKept, recordsRead, tombstonesDropped);
        return stats;
    }

    private delegate void BatchAction(ReadOnlySpan<byte> batch);

    /// <summary>Runs <paramref name="action"/> on every batch of the segment; false when the segment was deleted meanwhile.</summary>
    private static bool ForEachBatch(LogSegment seg, BatchAction action)
    {
        if (!seg.Log.TryAcquire(out SafeFileHandle h))
        {
            return false;
        }
        try
        {
            using var reader = new SegmentBatchReader(h, seg.Size);
            for (ReadOnlySpan<byte> batch = reader.Next(); !batch.IsEmpty; batch = reader.Next())
            {
                action(batch);
            }
            return true;
        }
        finally
        {
            seg.Log.Release();
        }
    }

    /// <summary>Writes the batch, or what is left of it, to <paramref name="output"/>.</summary>
    private static void FilterBatch(ReadOnlySpan<byte> batch, Dictionary<UInt128, long> map, long now, LogConfig config,
        RecordBatchBuilder builder, ArrayBufferWriter<byte> output,
        ref long recordsRead, ref long recordsKept, ref long tombstonesDropped, ref long minHorizon)
    {
        var rb = new RecordBatch(batch);
        if (rb.IsControl)
        {
            // Transaction markers stay until transactions (and their cleanup rules) are built.
            Copy(batch, output);
            return;
        }
        RecordBatchHeader header = rb.Header;
        bool horizonSet = header.HasDeleteHorizon;
        long horizon = horizonSet ? header.BaseTimestamp : now + config.DeleteRetentionMs;
        bool tombstonesExpire = horizonSet && now >= horizon;

        // First pass decides; the second (only when something changes) rebuilds.
        int count = 0, kept = 0, tombstonesKept = 0, dropped = 0;
        foreach (Record r in rb.GetRecords())
        {
            count++;
            switch (Decide(r, map, tombstonesExpire))
            {
                case Verdict.Keep:
                    kept++;
                    break;
                case Verdict.KeepTombstone:
                    kept++;
                    tombstonesKept++;
                    break;
                case Verdict.DropTombstone:
                    dropped++;
                    break;
            }
        }
        recordsRead += count;
        recordsKept += kept;
        tombstonesDropped += dropped;
        if (kept == 0)
        {
            return;
        }
        if (tombstonesKept > 0)
        {
            minHorizon = Math.Min(minHorizon, horizon);
        }
        if (kept == count && (tombstonesKept > 0) == horizonSet)
        {
            Copy(batch, output); // unchanged: the original bytes, CRC and all
            return;
        }
        builder.ResetLike(rb);
        builder.DeleteHorizonMs = tombstonesKept > 0 ? horizon : -1;
        Header[]? headers = null;
        foreach (Record r in rb.GetRecords())
        {
            if (Decide(r, map, tombstonesExpire) is Verdict.Keep or Verdict.KeepTombstone)
            {
                builder.AppendWithOffset(r.Offset, r.Timestamp, r.Key, true, r.Value, r.HasValue, r.CopyHeaders(ref headers));
            }
        }
        Copy(builder.Build().Span, output);
    }

    private enum Verdict { Keep, KeepTombstone, Drop, DropTombstone }

    private static Verdict Decide(in Record r, Dictionary<UInt128, long> map, bool tombstonesExpire)
    {
        if (!r.HasKey)
        {
            return Verdict.Drop; // cannot be in a compacted log; Kafka's cleaner drops them too
        }
        if (map.TryGetValue(XxHash128.HashToUInt128(r.Key), out long latest) && r.Offset < latest)
        {
            return Verdict.Drop;
        }
        if (!r.HasValue)
        {
            return tombstonesExpire ? Verdict.DropTombstone : Verdict.KeepTombstone;
        }
        return Verdict.Keep;
    }

    private static void Copy(ReadOnlySpan<byte> bytes, ArrayBufferWriter<byte> output)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static long Flush(LogSegment cleaned, ArrayBufferWriter<byte> output, long now)
    {
        int n = output.WrittenCount;
        if (n > 0)
        {
            cleaned.Append(output.WrittenSpan, now);
            output.ResetWrittenCount();
        }
        return n;
    }

    private static void Discard(LogSegment cleaned)
    {
        cleaned.MarkDeleted();
        cleaned.DeleteFiles();
    }

    private void WriteCheckpoint()
    {
        var live = new Dictionary<TopicPartition, long>();
        foreach (PartitionLog log in _manager.Logs)
        {
            if (_firstDirty.TryGetValue(log.TopicPartition, out long o))
            {
                live[log.TopicPartition] = o;
            }
        }
        OffsetCheckpointFile.Write(Path.Combine(_manager.LogDir, CheckpointFile), live);
    }

    /// <summary>Stops the background task (waits for a running pass to finish).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // Already logged by the loop.
        }
        _stop.Dispose();
    }
}
