using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Logging;
using Samsa.Protocol.Records;
using Samsa.Storage.Checkpoints;
using Samsa.Storage.Files;
using Samsa.Storage.Producers;

namespace Samsa.Storage;

/// <summary>What loading a partition directory produced.</summary>
internal sealed record LoadedLog(
    LogSegment[] Segments,
    long LogEndOffset,
    long LogStartOffset,
    long RecoveryPoint,
    ProducerStateManager Producers,
    LeaderEpochCheckpoint Epochs,
    Guid? TopicId);

/// <summary>
/// Opens a partition directory and brings it to a consistent state.
/// <list type="bullet">
/// <item>Leftover <c>*.deleted</c> and <c>*.tmp</c> files are removed; index files without a log are dropped.</item>
/// <item>After a clean shutdown only the newest segment's tail after its last index entry is read.</item>
/// <item>After an unclean one, every segment that may hold offsets at or past the recovery point is
/// validated batch by batch (lengths, magic, CRC-32C, increasing offsets) and its indexes rebuilt.
/// In the newest segment the first damaged batch and everything after it are cut off, with one
/// warning naming the file, position and offset. So are they in an older segment whose background
/// flush after its roll had not completed (its damage is a torn write), together with the segments
/// after it, as Kafka does. Damage in an older segment that had been fsync'd (its offset index on
/// disk points at or past the damage: index files are written only after the data's fsync) is
/// corruption: the partition goes offline instead of silently losing the segments after it.</item>
/// <item>Producer state comes from the newest snapshot at or below the log end, then the batches after it.</item>
/// </list>
/// </summary>
internal static class LogLoader
{
    /// <summary>
    /// The cleaner's leftovers: <c>*.cleaned</c> files were never complete and are removed; a
    /// <c>NNN.log.swap</c> is a complete cleaned segment, so the segments it covers (base offsets from
    /// NNN up to its last offset) are removed and the swap takes its final name. Its indexes are rebuilt.
    /// </summary>
    private static void CompleteCleanerSwaps(string dir, ILogger logger)
    {
        foreach (string path in System.IO.Directory.GetFiles(dir))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal)
                || (name.EndsWith(LogFileNames.SwapSuffix, StringComparison.Ordinal) && !name.EndsWith(LogFileNames.LogSuffix + LogFileNames.SwapSuffix, StringComparison.Ordinal)))
            {
                File.Delete(path);
            }
        }
        foreach (string swap in System.IO.Directory.GetFiles(dir, "*" + LogFileNames.LogSuffix + LogFileNames.SwapSuffix))
        {
            string finalName = Path.GetFileName(swap)[..^LogFileNames.SwapSuffix.Length];
            if (!LogFileNames.TryParseOffset(finalName, LogFileNames.LogSuffix, out long baseOffset))
            {
                continue;
            }
            long last = LastOffsetIn(swap, baseOffset);
            foreach (string log in System.IO.Directory.GetFiles(dir, "*" + LogFileNames.LogSuffix))
            {
                if (LogFileNames.TryParseOffset(Path.GetFileName(log), LogFileNames.LogSuffix, out long b) && b >= baseOffset && b <= last)
                {
                    File.Delete(log);
                    File.Delete(LogFileNames.IndexFile(dir, b));
                    File.Delete(LogFileNames.TimeIndexFile(dir, b));
                }
            }
            File.Move(swap, Path.Combine(dir, finalName), overwrite: true);
            logger.LogInformation("{Dir}: finished swapping in the cleaned segment {File}", dir, finalName);
        }
    }

    /// <summary>The last offset of the whole batches at the start of a segment file (its base offset when none).</summary>
    private static long LastOffsetIn(string path, long baseOffset)
    {
        long last = baseOffset;
        using SafeFileHandle h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long size = RandomAccess.GetLength(h);
        using var reader = new SegmentBatchReader(h, size);
        for (ReadOnlySpan<byte> batch = reader.Next(); !batch.IsEmpty; batch = reader.Next())
        {
            last = new RecordBatchHeader(batch).LastOffset;
        }
        return last;
    }

    public static LoadedLog Load(string dir, TopicPartition tp, LogConfig config, FileHandleCache cache, bool cleanShutdown,
        long checkpointRecoveryPoint, long checkpointLogStart, long nowMs, ILogger logger)
    {
        System.IO.Directory.CreateDirectory(dir);
        CompleteCleanerSwaps(dir, logger);
        var baseOffsets = new List<long>();
        var indexFiles = new List<string>();
        foreach (string path in System.IO.Directory.EnumerateFiles(dir))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                File.Delete(path);
            }
            else if (LogFileNames.TryParseOffset(name, LogFileNames.LogSuffix, out long b))
            {
                baseOffsets.Add(b);
            }
            else if (name.EndsWith(LogFileNames.IndexSuffix, StringComparison.Ordinal) || name.EndsWith(LogFileNames.TimeIndexSuffix, StringComparison.Ordinal))
            {
                indexFiles.Add(path);
            }
        }
        baseOffsets.Sort();
        foreach (string idx in indexFiles)
        {
            string name = Path.GetFileName(idx);
            string stem = name[..name.IndexOf('.', StringComparison.Ordinal)];
            if (!File.Exists(Path.Combine(dir, stem + LogFileNames.LogSuffix)))
            {
                File.Delete(idx);
            }
        }

        Guid? topicId = PartitionMetadataFile.Read(dir);
        var segments = new List<LogSegment>(baseOffsets.Count);
        foreach (long b in baseOffsets)
        {
            segments.Add(LogSegment.Open(dir, b, config, cache));
        }
        if (segments.Count == 0)
        {
            segments.Add(LogSegment.Create(dir, Math.Max(0, checkpointLogStart), config, cache, nowMs));
        }

        long logEnd = -1;
        long recoveryPoint = checkpointRecoveryPoint;
        if (cleanShutdown)
        {
            logEnd = segments[^1].LoadTail();
            if (logEnd < 0)
            {
                logger.LogWarning("{Partition}: the newest segment {File} does not end on a batch boundary despite a clean shutdown; recovering it", tp, segments[^1].Log.Path);
                recoveryPoint = Math.Min(recoveryPoint, segments[^1].BaseOffset);
            }
        }
        long scannedFrom = -1;
        if (logEnd < 0)
        {
            scannedFrom = recoveryPoint;
            logEnd = Recover(tp, segments, recoveryPoint, logger);
            for (int i = 0; i < segments.Count; i++)
            {
                if (i == segments.Count - 1 || segments[i + 1].BaseOffset > recoveryPoint)
                {
                    segments[i].Flush(); // every segment recovery looked at, the one holding the recovery point too
                }
            }
        }
        recoveryPoint = logEnd;

        long logStart = Math.Max(checkpointLogStart, segments[0].BaseOffset);
        if (logStart > logEnd)
        {
            logStart = logEnd;
        }

        var epochs = new LeaderEpochCheckpoint(dir);
        bool epochsRead = epochs.Load();
        epochs.TruncateFromEnd(logEnd);
        epochs.TruncateFromStart(logStart);
        // The file is written without fsync and synced before the recovery point moves: epochs that
        // start at or after the recovery point may be missing from it, and a crash right after a
        // rewrite may have left it unreadable. Both come back from the batches themselves.
        if (!epochsRead || scannedFrom >= 0)
        {
            RebuildEpochs(epochs, segments, epochsRead ? Math.Max(scannedFrom, logStart) : logStart, logEnd);
        }
        epochs.Sync();

        var producers = new ProducerStateManager(dir);
        RebuildProducerState(producers, segments, logStart, logEnd);
        return new LoadedLog([.. segments], logEnd, logStart, recoveryPoint, producers, epochs, topicId);
    }

    private static long Recover(TopicPartition tp, List<LogSegment> segments, long recoveryPoint, ILogger logger)
    {
        long next = segments[0].BaseOffset;
        for (int i = 0; i < segments.Count; i++)
        {
            LogSegment seg = segments[i];
            bool last = i == segments.Count - 1;
            bool needsCheck = last || segments[i + 1].BaseOffset > recoveryPoint;
            if (!needsCheck)
            {
                continue;
            }
            // Segments after this one that hold nothing are leftovers of a roll; they do not make it "older".
            bool onlyEmptyAfter = true;
            for (int j = i + 1; j < segments.Count; j++)
            {
                onlyEmptyAfter &= segments[j].Size == 0;
            }
            long sizeBefore = new FileInfo(seg.Log.Path).Length;
            long proven = onlyEmptyAfter ? -1 : seg.LastIndexedPositionOnDisk(); // before the scan rewrites the index
            SegmentScan scan = seg.Scan(validate: true, allowTruncate: onlyEmptyAfter);
            if (scan.Damage is not null)
            {
                if (!onlyEmptyAfter)
                {
                    if (proven >= scan.ValidBytes)
                    {
                        // Its own index proves the damaged bytes had been fsync'd: not a torn write.
                        throw new KafkaStorageException(
                            $"{tp}: corrupt batch in the middle of the log: {seg.Log.Path} at position {scan.ValidBytes} (offset {scan.DamageOffset}): {scan.Damage}; the partition is offline");
                    }
                    // A rolled segment whose background flush had not completed: torn like a newest
                    // segment, so the same rule (Kafka's): cut it there and drop the segments after it.
                    scan = seg.Scan(validate: true, allowTruncate: true);
                }
                logger.LogWarning("{Partition}: recovery dropped {Bytes} bytes of {File} from position {Position} (offset {Offset} onwards){After}: {Reason}",
                    tp, sizeBefore - scan.ValidBytes, seg.Log.Path, scan.ValidBytes, scan.DamageOffset,
                    onlyEmptyAfter ? "" : $" and the {segments.Count - 1 - i} newer segments, as the segment had not been flushed since its roll",
                    scan.Damage);
                for (int j = segments.Count - 1; j > i; j--)
                {
                    segments[j].MarkDeleted();
                    segments[j].DeleteFiles();
                    segments.RemoveAt(j);
                }
                return scan.NextOffset;
            }
            if (seg.IndexesRebuilt)
            {
                logger.LogInformation("{Partition}: rebuilt the indexes of {File}", tp, seg.Log.Path);
            }
            if (!last)
            {
                seg.Seal(); // its final index entries, written by the flush below
            }
            next = scan.NextOffset;
            if (!last && next > segments[i + 1].BaseOffset)
            {
                throw new KafkaStorageException($"{tp}: {seg.Log.Path} holds offsets up to {next - 1}, past the next segment's base offset {segments[i + 1].BaseOffset}; the partition is offline");
            }
        }
        return next;
    }

    /// <summary>Newest snapshot at or below the log end, then the batch headers after it.</summary>
    internal static void RebuildProducerState(ProducerStateManager producers, IReadOnlyList<LogSegment> segments, long logStart, long logEnd)
    {
        long from = producers.LoadLatestSnapshot(logEnd);
        if (from < 0)
        {
            producers.Reset(logStart);
            from = logStart;
        }
        if (from >= logEnd)
        {
            return;
        }
        ForEachBatchHeader(segments, from, (in BatchPosition b, ReadOnlySpan<byte> head) =>
        {
            var hdr = new RecordBatchHeader(head);
            producers.Replay(b, hdr.ProducerId, hdr.ProducerEpoch, hdr.BaseSequence);
        });
        producers.CommitPending(logEnd);
    }

    /// <summary>Assigns the leader epoch of every batch from <paramref name="from"/> to the log end.</summary>
    private static void RebuildEpochs(LeaderEpochCheckpoint epochs, IReadOnlyList<LogSegment> segments, long from, long logEnd)
    {
        if (from >= logEnd)
        {
            return;
        }
        ForEachBatchHeader(segments, from, (in BatchPosition b, ReadOnlySpan<byte> head) =>
            epochs.Assign(new RecordBatchHeader(head).PartitionLeaderEpoch, b.BaseOffset));
    }

    private delegate void BatchHeaderVisitor(in BatchPosition batch, ReadOnlySpan<byte> header);

    /// <summary>Visits the header of every batch whose last offset is at or after <paramref name="from"/>, in log order.</summary>
    private static void ForEachBatchHeader(IReadOnlyList<LogSegment> segments, long from, BatchHeaderVisitor visit)
    {
        Span<byte> head = stackalloc byte[RecordBatchLayout.HeaderSize];
        for (int i = 0; i < segments.Count; i++)
        {
            LogSegment seg = segments[i];
            if (i + 1 < segments.Count && segments[i + 1].BaseOffset <= from)
            {
                continue;
            }
            Microsoft.Win32.SafeHandles.SafeFileHandle h = seg.Log.Acquire();
            try
            {
                long limit = seg.Size;
                if (!seg.TryTranslateOffset(h, from, limit, out BatchPosition b))
                {
                    continue;
                }
                long p = b.Position;
                while (LogSegment.TryReadHeader(h, p, limit, head, out b))
                {
                    if (b.LastOffset >= from)
                    {
                        visit(b, head);
                    }
                    p += b.Size;
                }
            }
            finally
            {
                seg.Log.Release();
            }
        }
    }
}
