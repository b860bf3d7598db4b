using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;
using Samsa.Storage.Checkpoints;
using Samsa.Storage.Files;
using Samsa.Storage.Producers;

namespace Samsa.Storage;

/// <summary>An offset found by <see cref="PartitionLog.FetchOffsetByTimestamp"/>; offset and timestamp -1 when none.</summary>
public readonly record struct OffsetLookupResult(ErrorCode Error, long Offset, long Timestamp, int LeaderEpoch, string? ErrorMessage = null);

/// <summary>
/// One partition's log (Kafka's UnifiedLog): a directory <c>&lt;topic&gt;-&lt;partition&gt;</c> of
/// <see cref="LogSegment"/>s plus producer-state snapshots, <c>leader-epoch-checkpoint</c> and
/// <c>partition.metadata</c>.
/// <para>Thread-safety: appends, rolls, truncation, retention and flushes are serialised by one lock
/// per partition. Reads take no lock: they work on an immutable snapshot of the segment list and
/// the published log end offset, and lease the segment file they return, so a concurrent roll or
/// deletion never breaks them. The fsync of rolled segments runs on the log manager's
/// <see cref="SegmentFlusher"/> thread without the lock (<see cref="RunRollFlush"/>); the recovery
/// point moves only after it completed.</para>
/// <para>The directory is loaded (and if needed recovered) lazily, on first use, unless the log
/// manager recovers eagerly after an unclean shutdown.</para>
/// </summary>
public sealed class PartitionLog
{
    /// <summary>ListOffsets special timestamps.</summary>
    public const long LatestTimestamp = -1, EarliestTimestamp = -2, MaxTimestamp = -3, EarliestLocalTimestamp = -4;

    private readonly Lock _lock = new();
    private readonly LogManager _manager;
    private readonly ILogger _logger;
    private volatile LogSegment[] _segments = [];
    private ProducerStateManager? _producers;
    private LeaderEpochCheckpoint? _epochs;
    private volatile bool _loaded;
    private volatile string? _offlineReason;
    private long _logEndOffset;
    /// <summary>The log end with the active segment's byte position, published together so a reader never sees bytes past it.</summary>
    private volatile LogEnd _end = new(0, 0, 0);
    private long _logStartOffset;
    private long _highWatermark;
    private long _recoveryPoint;
    private long _unflushedMessages;
    private long _lastFlushMs;
    // Roll flush state, under _lock. Offsets below the target are in closed segments waiting for (or
    // in) the background fsync; the target never exceeds the active segment's base offset.
    private long _rollFlushTarget;
    private bool _rollFlushQueued;
    private bool _closed;
    private int _truncations;
    // Set while a background flush round runs; Close waits on the monitor of _rollFlushRunningGate.
    private readonly object _rollFlushRunningGate = new();
    private bool _rollFlushRunning;
    private readonly long _checkpointRecoveryPoint;
    private readonly long _checkpointHighWatermark;
    private readonly bool _cleanShutdown;

    internal PartitionLog(LogManager manager, TopicPartition tp, string dir, Guid topicId, LogConfig config,
        long recoveryPoint, long logStartOffset, long highWatermark, bool cleanShutdown)
    {
        _manager = manager;
        _logger = manager.Logger;
        TopicPartition = tp;
        Directory = dir;
        TopicId = topicId;
        Config = config;
        _checkpointRecoveryPoint = recoveryPoint;
        _logStartOffset = logStartOffset;
        _checkpointHighWatermark = highWatermark;
        _cleanShutdown = cleanShutdown;
        _recoveryPoint = recoveryPoint;
    }

    public TopicPartition TopicPartition { get; }
    public string Topic => TopicPartition.Topic;
    public int Partition => TopicPartition.Partition;
    public string Directory { get; }
    /// <summary>The topic id from <c>partition.metadata</c> (Guid.Empty while unknown).</summary>
    public Guid TopicId { get; private set; }
    public LogConfig Config { get; private set; }

    public bool IsLoaded => _loaded;
    public bool IsOffline => _offlineReason is not null;
    public string? OfflineReason => _offlineReason;

    public long LogEndOffset
    {
        get
        {
            EnsureUsable();
            return Volatile.Read(ref _logEndOffset);
        }
    }

    public long LogStartOffset
    {
        get
        {
            EnsureUsable();
            return Volatile.Read(ref _logStartOffset);
        }
    }

    /// <summary>
    /// Offsets below this are on disk for sure (fsync'd); recovery starts here after a crash. A roll does
    /// not move it: the background flush of the rolled segments does, once their fsync completed.
    /// </summary>
    public long RecoveryPoint
    {
        get
        {
            EnsureUsable();
            return Volatile.Read(ref _recoveryPoint);
        }
    }

    /// <summary>
    /// Set by the broker (replication decides it; with one replica it is the log end offset after each
    /// append). Clamped to [LogStartOffset, LogEndOffset]; persisted in <c>replication-offset-checkpoint</c>.
    /// </summary>
    public long HighWatermark
    {
        get
        {
            EnsureUsable();
            return Volatile.Read(ref _highWatermark);
        }
        set
        {
            EnsureUsable();
            lock (_lock)
            {
                Volatile.Write(ref _highWatermark, Math.Clamp(value, _logStartOffset, _logEndOffset));
            }
        }
    }

    /// <summary>
    /// Sets the high watermark to the log end offset under the append lock, so an append that lands
    /// meanwhile cannot be undone by a log end read before it (a leader whose ISR is itself alone).
    /// </summary>
    public void AdvanceHighWatermarkToLogEnd()
    {
        EnsureUsable();
        lock (_lock)
        {
            Volatile.Write(ref _highWatermark, Math.Max(_highWatermark, _logEndOffset));
        }
    }

    /// <summary>Bytes of all segments.</summary>
    public long Size
    {
        get
        {
            EnsureUsable();
            long total = 0;
            foreach (LogSegment s in _segments)
            {
                total += s.Size;
            }
            return total;
        }
    }

    public int SegmentCount
    {
        get
        {
            EnsureUsable();
            return _segments.Length;
        }
    }

    /// <summary>Base offsets of the segments, oldest first.</summary>
    public long[] SegmentBaseOffsets
    {
        get
        {
            EnsureUsable();
            LogSegment[] segs = _segments;
            long[] r = new long[segs.Length];
            for (int i = 0; i < segs.Length; i++)
            {
                r[i] = segs[i].BaseOffset;
            }
            return r;
        }
    }

    public IReadOnlyList<EpochEntry> LeaderEpochs
    {
        get
        {
            EnsureUsable();
            return _epochs!.Entries;
        }
    }

    /// <summary>True while the leader-epoch-checkpoint on disk may lag <see cref="LeaderEpochs"/> (no fsync yet).</summary>
    internal bool LeaderEpochsNeedSync
    {
        get
        {
            lock (_lock)
            {
                return _epochs?.NeedsSync ?? false;
            }
        }
    }

    public int LatestLeaderEpoch
    {
        get
        {
            EnsureUsable();
            return _epochs!.LatestEpoch;
        }
    }

    /// <summary>OffsetForLeaderEpoch: the largest epoch at or below the one asked and the offset where it ends.</summary>
    public (int Epoch, long EndOffset) EndOffsetForEpoch(int leaderEpoch)
    {
        EnsureUsable();
        return _epochs!.EndOffsetFor(leaderEpoch, Volatile.Read(ref _logEndOffset));
    }

    internal long NowMs => _manager.Time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---------------------------------------------------------------- loading

    internal void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }
        lock (_lock)
        {
            if (_loaded || _offlineReason is not null)
            {
                return;
            }
            try
            {
                LoadedLog loaded = LogLoader.Load(Directory, TopicPartition, Config, _manager.HandleCache, _cleanShutdown,
                    _checkpointRecoveryPoint, _logStartOffset, NowMs, _logger);
                _segments = loaded.Segments;
                _producers = loaded.Producers;
                _epochs = loaded.Epochs;
                Volatile.Write(ref _logStartOffset, loaded.LogStartOffset);
                Volatile.Write(ref _recoveryPoint, loaded.RecoveryPoint);
                PublishEnd(loaded.LogEndOffset);
                Volatile.Write(ref _highWatermark, Math.Clamp(_checkpointHighWatermark, loaded.LogStartOffset, loaded.LogEndOffset));
                if (loaded.TopicId is { } id)
                {
                    if (TopicId != Guid.Empty && id != TopicId)
                    {
                        throw new KafkaStorageException($"{TopicPartition}: the directory belongs to topic id {PartitionMetadataFile.ToKafkaString(id)}, not {PartitionMetadataFile.ToKafkaString(TopicId)}");
                    }
                    TopicId = id;
                }
                else if (TopicId != Guid.Empty)
                {
                    PartitionMetadataFile.Write(Directory, TopicId);
                }
                _lastFlushMs = NowMs;
                _loaded = true;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                GoOffline(e is KafkaStorageException ? e.Message : $"{TopicPartition}: cannot load {Directory}: {e.Message}");
            }
        }
    }

    /// <summary>Records the topic id once it is known (a log created before the id was set).</summary>
    internal void SetTopicId(Guid topicId)
    {
        EnsureUsable();
        lock (_lock)
        {
            if (topicId == Guid.Empty || TopicId == topicId)
            {
                return;
            }
            if (TopicId != Guid.Empty)
            {
                throw new InvalidOperationException($"{TopicPartition} belongs to topic id {PartitionMetadataFile.ToKafkaString(TopicId)}, not {PartitionMetadataFile.ToKafkaString(topicId)}");
            }
            TopicId = topicId;
            PartitionMetadataFile.Write(Directory, topicId);
        }
    }

    private void GoOffline(string reason)
    {
        _offlineReason = reason;
        _logger.LogError("{Partition} is offline: {Reason}", TopicPartition, reason);
    }

    private void EnsureUsable()
    {
        EnsureLoaded();
        if (_offlineReason is { } reason)
        {
            throw new KafkaStorageException(reason);
        }
    }

    public void UpdateConfig(LogConfig config)
    {
        lock (_lock)
        {
            Config = config;
            foreach (LogSegment s in _segments)
            {
                s.Config = config;
            }
        }
    }

    // ---------------------------------------------------------------- append

    /// <summary>
    /// Appends record batches from a producer. Each batch is validated (magic 2, sizes, CRC-32C,
    /// record count, timestamps, producer epoch and sequence), then offsets are assigned by patching
    /// the base offset into <paramref name="records"/> in place (so the caller's buffer is modified),
    /// the partition leader epoch is stamped, and the bytes are written. A retried batch that was
    /// already appended returns its original offsets and writes nothing.
    /// </summary>
    public LogAppendResult AppendAsLeader(Span<byte> records, int leaderEpoch)
    {
        EnsureLoaded();
        if (_offlineReason is { } offline)
        {
            return LogAppendResult.Fail(ErrorCode.KafkaStorageError, offline, -1);
        }
        LogConfig config = Config;
        long now = NowMs;
        if (records.Length == 0)
        {
            return new LogAppendResult(ErrorCode.None, -1, -1, -1, Volatile.Read(ref _logStartOffset));
        }
        if (records.Length > config.SegmentBytes)
        {
            return Fail(ErrorCode.RecordListTooLarge, $"{records.Length} bytes of batches exceed segment.bytes {config.SegmentBytes}");
        }
        long maxTimestamp = -1;
        int recordCount = 0;
        bool recompress = false;
        int pos = 0;
        while (pos < records.Length)
        {
            ErrorCode err = ValidateLeaderBatch(records[pos..], config, now, out int size, out string? why);
            if (err != ErrorCode.None)
            {
                return Fail(err, why!);
            }
            var h = new RecordBatchHeader(records.Slice(pos, size));
            maxTimestamp = Math.Max(maxTimestamp, config.MessageTimestampType == TimestampType.LogAppendTime ? now : h.MaxTimestamp);
            recordCount += h.RecordCount;
            recompress |= config.TargetCodec >= 0 && config.TargetCodec != h.CompressionCodec;
            pos += size;
        }
        if (recompress)
        {
            try
            {
                records = Recompressor.Recompress(records, (CompressionType)config.TargetCodec);
            }
            catch (Exception e) when (e is KafkaProtocolException or InvalidDataException or ArgumentException)
            {
                return Fail(ErrorCode.CorruptMessage, $"records could not be decoded for re-compression: {e.Message}");
            }
            if (records.Length > config.SegmentBytes)
            {
                return Fail(ErrorCode.RecordListTooLarge, $"{records.Length} bytes of re-compressed batches exceed segment.bytes {config.SegmentBytes}");
            }
        }

        lock (_lock)
        {
            if (_offlineReason is { } reason)
            {
                return LogAppendResult.Fail(ErrorCode.KafkaStorageError, reason, -1);
            }
            long firstOffset = _logEndOffset;
            long next = firstOffset;
            ProducerStateManager producers = _producers!;
            for (pos = 0; pos < records.Length;)
            {
                var h = new RecordBatchHeader(records[pos..]);
                int size = h.TotalSize;
                ErrorCode err = producers.CheckAndStage(records.Slice(pos, size), next, out BatchMetadata? dup, out string? why);
                if (err != ErrorCode.None)
                {
                    producers.DiscardPending();
                    return Fail(err, why!);
                }
                if (dup is { } d)
                {
                    producers.DiscardPending();
                    long appendTime = config.MessageTimestampType == TimestampType.LogAppendTime ? d.Timestamp : -1;
                    return new LogAppendResult(ErrorCode.None, d.FirstOffset, d.LastOffset, appendTime, _logStartOffset,
                        (int)(d.LastOffset - d.FirstOffset + 1), null, Duplicate: true);
                }
                next += h.LastOffsetDelta + 1L;
                pos += size;
            }
            long lastOffset = next - 1;

            try
            {
                AssignOffsets(records, firstOffset, leaderEpoch, config, now);
                LogSegment active = MaybeRoll(records.Length, maxTimestamp, lastOffset, now);
                active.Append(records, now);
            }
            catch (IOException e)
            {
                producers.DiscardPending();
                GoOffline($"{TopicPartition}: append failed: {e.Message}");
                return LogAppendResult.Fail(ErrorCode.KafkaStorageError, e.Message, -1);
            }
            producers.CommitPending(next);
            _epochs!.Assign(leaderEpoch, firstOffset);
            PublishEnd(next);
            AfterAppend(recordCount);
            return new LogAppendResult(ErrorCode.None, firstOffset, lastOffset,
                config.MessageTimestampType == TimestampType.LogAppendTime ? now : -1, _logStartOffset, recordCount);
        }

        LogAppendResult Fail(ErrorCode code, string message) =>
            LogAppendResult.Fail(code, $"{TopicPartition}: {message}", Volatile.Read(ref _logStartOffset));
    }

    private static ErrorCode ValidateLeaderBatch(ReadOnlySpan<byte> rest, LogConfig config, long now, out int size, out string? why)
    {
        size = 0;
        if (rest.Length < RecordBatchLayout.LogOverhead)
        {
            why = $"{rest.Length} trailing bytes are not a batch";
            return ErrorCode.CorruptMessage;
        }
        int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(rest[RecordBatchLayout.BatchLengthOffset..]);
        if (length < BatchValidation.MinBatchLength || length > rest.Length - RecordBatchLayout.LogOverhead)
        {
            why = $"batch length {length} does not fit the {rest.Length} bytes left";
            return ErrorCode.CorruptMessage;
        }
        size = length + RecordBatchLayout.LogOverhead;
        ReadOnlySpan<byte> batch = rest[..size];
        if (batch[RecordBatchLayout.MagicOffset] != RecordBatchLayout.CurrentMagic)
        {
            why = $"record batch magic {batch[RecordBatchLayout.MagicOffset]} is not supported (only 2)";
            return ErrorCode.UnsupportedForMessageFormat;
        }
        if (size > config.MaxMessageBytes)
        {
            why = $"batch of {size} bytes exceeds max.message.bytes {config.MaxMessageBytes}";
            return ErrorCode.MessageTooLarge;
        }
        why = BatchValidation.CheckStructure(batch);
        if (why is not null)
        {
            return ErrorCode.CorruptMessage;
        }
        var h = new RecordBatchHeader(batch);
        if (h.RecordCount <= 0 || h.LastOffsetDelta != h.RecordCount - 1)
        {
            why = $"batch declares {h.RecordCount} records but a last offset delta of {h.LastOffsetDelta}";
            return ErrorCode.InvalidRecord;
        }
        if (h.IsControl)
        {
            why = "control batches may only be written by a coordinator";
            return ErrorCode.InvalidRecord;
        }
        if (h.ProducerId >= 0 && h.BaseSequence < 0)
        {
            why = $"producer {h.ProducerId} sent a batch without a sequence number";
            return ErrorCode.InvalidRecord;
        }
        long minTs = h.BaseTimestamp, maxTs = h.MaxTimestamp;
        if (h.CompressionCodec == 0)
        {
            why = RecordWalker.Validate(batch, out minTs, out maxTs);
            if (why is not null)
            {
                return ErrorCode.CorruptMessage;
            }
        }
        if (config.Compact && CompactedKeys.Check(batch, out why) is var keyError && keyError != ErrorCode.None)
        {
            return keyError;
        }
        if (config.MessageTimestampType == TimestampType.CreateTime)
        {
            if (!TimestampAllowed(minTs, now, config) || !TimestampAllowed(maxTs, now, config))
            {
                why = $"timestamp {(TimestampAllowed(minTs, now, config) ? maxTs : minTs)} is out of range " +
                      $"(now {now}, message.timestamp.before.max.ms {config.MessageTimestampBeforeMaxMs}, after.max.ms {config.MessageTimestampAfterMaxMs})";
                return ErrorCode.InvalidTimestamp;
            }
        }
        return ErrorCode.None;
    }

    private static bool TimestampAllowed(long ts, long now, LogConfig config) =>
        ts < 0 || ((now - ts) <= config.MessageTimestampBeforeMaxMs && (ts - now) <= config.MessageTimestampAfterMaxMs);

    private static void AssignOffsets(Span<byte> records, long firstOffset, int leaderEpoch, LogConfig config, long now)
    {
        long next = firstOffset;
        for (int pos = 0; pos < records.Length;)
        {
            Span<byte> batch = records[pos..];
            var h = new RecordBatchHeader(batch);
            int size = h.TotalSize;
            int lastDelta = h.LastOffsetDelta;
            batch = batch[..size];
            RecordBatchHeader.SetBaseOffset(batch, next);
            RecordBatchHeader.SetPartitionLeaderEpoch(batch, leaderEpoch);
            if (config.MessageTimestampType == TimestampType.LogAppendTime)
            {
                short attributes = (short)(new RecordBatchHeader(batch).Attributes | 0x08);
                System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..], attributes);
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..], now);
                BatchValidation.UpdateCrc(batch);
            }
            next += lastDelta + 1L;
            pos += size;
        }
    }

    /// <summary>
    /// Appends batches replicated from the leader: offsets are already assigned and must continue
    /// the log. Checks structure and CRC only; producer state and leader epochs follow the batches.
    /// </summary>
    public LogAppendResult AppendAsFollower(ReadOnlySpan<byte> records)
    {
        EnsureLoaded();
        if (_offlineReason is { } offline)
        {
            return LogAppendResult.Fail(ErrorCode.KafkaStorageError, offline, -1);
        }
        if (records.Length == 0)
        {
            return new LogAppendResult(ErrorCode.None, -1, -1, -1, Volatile.Read(ref _logStartOffset));
        }
        long prevLast = -1, first = -1, maxTimestamp = -1;
        int count = 0;
        for (int pos = 0; pos < records.Length;)
        {
            if (records.Length - pos < RecordBatchLayout.HeaderSize)
            {
                return LogAppendResult.Fail(ErrorCode.CorruptMessage, $"{TopicPartition}: {records.Length - pos} trailing bytes are not a batch", -1);
            }
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(records[(pos + RecordBatchLayout.BatchLengthOffset)..]);
            if (length < BatchValidation.MinBatchLength || length > records.Length - pos - RecordBatchLayout.LogOverhead)
            {
                return LogAppendResult.Fail(ErrorCode.CorruptMessage, $"{TopicPartition}: batch length {length} does not fit", -1);
            }
            ReadOnlySpan<byte> batch = records.Slice(pos, length + RecordBatchLayout.LogOverhead);
            if (BatchValidation.CheckStructure(batch) is { } why)
            {
                return LogAppendResult.Fail(ErrorCode.CorruptMessage, $"{TopicPartition}: {why}", -1);
            }
            var h = new RecordBatchHeader(batch);
            if (h.BaseOffset <= prevLast)
            {
                return LogAppendResult.Fail(ErrorCode.CorruptMessage, $"{TopicPartition}: offsets go backwards at {h.BaseOffset}", -1);
            }
            first = first < 0 ? h.BaseOffset : first;
            prevLast = h.LastOffset;
            maxTimestamp = Math.Max(maxTimestamp, h.MaxTimestamp);
            count += h.RecordCount;
            pos += batch.Length;
        }
        lock (_lock)
        {
            if (first < _logEndOffset)
            {
                return LogAppendResult.Fail(ErrorCode.UnknownServerError,
                    $"{TopicPartition}: follower append at offset {first} is below the log end offset {_logEndOffset}; truncate first", _logStartOffset);
            }
            long now = NowMs;
            try
            {
                LogSegment active = MaybeRoll(records.Length, maxTimestamp, prevLast, now);
                if (first - active.BaseOffset > int.MaxValue)
                {
                    active = Roll(first, now);
                }
                active.Append(records, now);
            }
            catch (IOException e)
            {
                GoOffline($"{TopicPartition}: append failed: {e.Message}");
                return LogAppendResult.Fail(ErrorCode.KafkaStorageError, e.Message, -1);
            }
            for (int pos = 0; pos < records.Length;)
            {
                var h = new RecordBatchHeader(records[pos..]);
                var b = new BatchPosition(0, h.BaseOffset, h.LastOffset, h.TotalSize, h.MaxTimestamp, h.Attributes);
                _producers!.Replay(b, h.ProducerId, h.ProducerEpoch, h.BaseSequence);
                _epochs!.Assign(h.PartitionLeaderEpoch, h.BaseOffset);
                pos += h.TotalSize;
            }
            PublishEnd(prevLast + 1);
            AfterAppend(count);
            return new LogAppendResult(ErrorCode.None, first, prevLast, -1, _logStartOffset, count);
        }
    }

    private sealed record LogEnd(long Offset, long SegmentBase, long Position);

    private void PublishEnd(long offset)
    {
        LogSegment active = _segments[^1];
        _end = new LogEnd(offset, active.BaseOffset, active.Size);
        Volatile.Write(ref _logEndOffset, offset);
    }

    private void AfterAppend(int recordCount)
    {
        _unflushedMessages += recordCount;
        if (_unflushedMessages >= Config.FlushMessages)
        {
            FlushLocked();
        }
    }

    private LogSegment MaybeRoll(int bytes, long maxTimestamp, long lastOffset, long now)
    {
        LogSegment active = _segments[^1];
        return active.ShouldRoll(bytes, maxTimestamp, lastOffset, now) ? Roll(_logEndOffset, now) : active;
    }

    /// <summary>
    /// Under the lock only memory work and file creation: the old segment's final time index entry, the
    /// new segment, the producer snapshot written without fsync. The fsync of the old segment (data and
    /// indexes) and of the snapshot is queued for the background flush (Kafka's "flush-log" task), which
    /// moves the recovery point once it completed; an fsync here would stall every append to the
    /// partition and the socket thread running this request.
    /// </summary>
    private LogSegment Roll(long newBaseOffset, long now)
    {
        LogSegment old = _segments[^1];
        old.Seal();
        LogSegment created = LogSegment.Create(Directory, newBaseOffset, Config, _manager.HandleCache, now);
        _segments = [.. _segments, created];
        // Only committed state goes into the snapshot: the batch being appended is not in it yet.
        if (_producers!.MapEndOffset == newBaseOffset)
        {
            _producers.TakeSnapshot(fsync: false);
            _producers.DeleteOldSnapshots(_logStartOffset);
        }
        _rollFlushTarget = Math.Max(_rollFlushTarget, newBaseOffset);
        if (!_rollFlushQueued && !_closed)
        {
            _rollFlushQueued = true;
            _manager.Flusher.Enqueue(this);
        }
        _logger.LogDebug("{Partition}: rolled a new segment at offset {Offset}", TopicPartition, newBaseOffset);
        return created;
    }

    /// <summary>
    /// The background flush (on the <see cref="SegmentFlusher"/> thread): fsyncs the closed segments
    /// holding offsets between the recovery point and the roll target, and the producer snapshots
    /// taken at those rolls, without the partition lock; then moves the recovery point to the target.
    /// Rolls meanwhile raise the target and are handled by the next round. A segment deleted meanwhile
    /// (retention, DeleteRecords, compaction, the topic deleted) is skipped; a truncation meanwhile
    /// makes the round start over; after <see cref="Close"/> nothing starts (close flushes itself).
    /// </summary>
    internal void RunRollFlush(Action<TopicPartition, long>? beforeFlush)
    {
        while (true)
        {
            long target, from;
            int truncations;
            var closedSegments = new List<LogSegment>();
            lock (_lock)
            {
                _rollFlushQueued = false;
                if (_closed || _offlineReason is not null || _rollFlushTarget <= _recoveryPoint)
                {
                    return;
                }
                target = _rollFlushTarget;
                from = _recoveryPoint;
                truncations = _truncations;
                LogSegment[] segs = _segments;
                for (int i = 0; i < segs.Length - 1 && segs[i].BaseOffset < target; i++)
                {
                    if (segs[i + 1].BaseOffset > from)
                    {
                        closedSegments.Add(segs[i]);
                    }
                }
                SetRollFlushRunning(true);
            }
            try
            {
                beforeFlush?.Invoke(TopicPartition, target);
                foreach (LogSegment s in closedSegments)
                {
                    s.Flush();
                }
                _producers!.SyncSnapshots(from, target);
                lock (_lock)
                {
                    if (_truncations == truncations && !_closed && _offlineReason is null)
                    {
                        // Epochs starting below the new recovery point are not rebuilt by recovery.
                        _epochs!.Sync();
                        Volatile.Write(ref _recoveryPoint, Math.Max(_recoveryPoint, Math.Min(target, _logEndOffset)));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                lock (_lock)
                {
                    if (!_closed && _offlineReason is null)
                    {
                        GoOffline($"{TopicPartition}: flush of rolled segments failed: {e.Message}");
                    }
                }
                return;
            }
            finally
            {
                SetRollFlushRunning(false);
            }
        }
    }

    private void SetRollFlushRunning(bool running)
    {
        lock (_rollFlushRunningGate)
        {
            _rollFlushRunning = running;
            if (!running)
            {
                Monitor.PulseAll(_rollFlushRunningGate);
            }
        }
    }

    /// <summary>Starts a new segment now, whatever the roll settings say.</summary>
    public void Roll()
    {
        EnsureUsable();
        lock (_lock)
        {
            if (_segments[^1].Size > 0)
            {
                Roll(_logEndOffset, NowMs);
            }
        }
    }

    // ---------------------------------------------------------------- read

    /// <summary>
    /// Finds the bytes for a fetch: whole batches starting with the one holding
    /// <paramref name="fetchOffset"/>, at most <paramref name="maxBytes"/> (but at least one batch when
    /// <paramref name="minOneMessage"/>, KIP-74), none at or past <paramref name="upperBound"/> (the
    /// high watermark or last stable offset; pass <see cref="LogEndOffset"/> for followers). Returns
    /// OFFSET_OUT_OF_RANGE below the log start or above the log end. Dispose the result after sending.
    /// </summary>
    public LogReadResult Read(long fetchOffset, int maxBytes, long upperBound, bool minOneMessage)
    {
        EnsureLoaded();
        if (_offlineReason is { } offline)
        {
            return new LogReadResult(ErrorCode.KafkaStorageError, offline, null, null, -1, -1, -1);
        }
        for (int attempt = 0; ; attempt++)
        {
            long hw = Volatile.Read(ref _highWatermark);
            LogEnd end = _end;
            long leo = end.Offset;
            long start = Volatile.Read(ref _logStartOffset);
            LogSegment[] segs = _segments;
            if (fetchOffset < start || fetchOffset > leo)
            {
                return new LogReadResult(ErrorCode.OffsetOutOfRange,
                    $"{TopicPartition}: offset {fetchOffset} is outside [{start}, {leo}]", null, null, start, leo, hw);
            }
            long bound = Math.Min(upperBound, leo);
            if (fetchOffset >= bound)
            {
                return new LogReadResult(ErrorCode.None, null, null, null, start, leo, hw);
            }
            bool retired = false;
            for (int i = FloorSegment(segs, fetchOffset); i < segs.Length && !retired; i++)
            {
                LogSegment seg = segs[i];
                if (seg.BaseOffset >= bound)
                {
                    break;
                }
                if (!seg.Log.TryAcquire(out SafeFileHandle h))
                {
                    retired = true; // deleted under us: take a fresh snapshot
                    break;
                }
                bool keep = false;
                try
                {
                    long maxPosition = seg.BaseOffset == end.SegmentBase ? Math.Min(seg.Size, end.Position) : seg.Size;
                    bool boundInside = bound < leo && (i == segs.Length - 1 || segs[i + 1].BaseOffset > bound);
                    if (boundInside && seg.TryTranslateOffset(h, bound, maxPosition, out BatchPosition stop))
                    {
                        maxPosition = stop.Position;
                    }
                    if (seg.TryRead(h, Math.Max(fetchOffset, seg.BaseOffset), maxBytes, maxPosition, minOneMessage, out long position, out int length) && length > 0)
                    {
                        keep = true;
                        return new LogReadResult(ErrorCode.None, null, new FileRegion(h, seg.Log.Path, position, length), seg.Log, start, leo, hw);
                    }
                    if (boundInside)
                    {
                        break;
                    }
                }
                finally
                {
                    if (!keep)
                    {
                        seg.Log.Release();
                    }
                }
            }
            // A retired segment means a deletion or a cleaner swap happened under us; the fresh
            // snapshot holds its replacement, so retrying (rather than answering empty) is right.
            if (!retired || attempt >= 64)
            {
                return new LogReadResult(ErrorCode.None, null, null, null, start, leo, hw);
            }
        }
    }

    private static int FloorSegment(LogSegment[] segs, long offset)
    {
        int lo = 0, hi = segs.Length - 1, found = 0;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (segs[mid].BaseOffset <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>
    /// ListOffsets: <see cref="EarliestTimestamp"/> (-2) gives the log start offset,
    /// <see cref="LatestTimestamp"/> (-1) the log end offset (the broker answers consumers with the
    /// high watermark instead), <see cref="MaxTimestamp"/> (-3) the record with the largest timestamp,
    /// and a timestamp the first record at or after it, or offset -1 when there is none.
    /// </summary>
    public OffsetLookupResult FetchOffsetByTimestamp(long timestamp)
    {
        EnsureLoaded();
        if (_offlineReason is { } offline)
        {
            return new OffsetLookupResult(ErrorCode.KafkaStorageError, -1, -1, -1, offline);
        }
        long start = Volatile.Read(ref _logStartOffset);
        long leo = Volatile.Read(ref _logEndOffset);
        LogSegment[] segs = _segments;
        switch (timestamp)
        {
            case EarliestTimestamp or EarliestLocalTimestamp:
                return new OffsetLookupResult(ErrorCode.None, start, -1, EpochAt(start));
            case LatestTimestamp:
                return new OffsetLookupResult(ErrorCode.None, leo, -1, _epochs!.LatestEpoch);
            case MaxTimestamp:
            {
                LogSegment? best = null;
                long bestTs = -1;
                foreach (LogSegment s in segs)
                {
                    long ts = s.MaxTimestampSoFar;
                    if (ts > bestTs)
                    {
                        bestTs = ts;
                        best = s;
                    }
                }
                if (best is null || !best.TryFindOffsetOfMaxTimestamp(out long off, out long t))
                {
                    return new OffsetLookupResult(ErrorCode.None, -1, -1, -1);
                }
                return new OffsetLookupResult(ErrorCode.None, off, t, EpochAt(off));
            }
            case < 0:
                return new OffsetLookupResult(ErrorCode.None, -1, -1, -1, $"unknown special timestamp {timestamp}");
        }
        foreach (LogSegment s in segs)
        {
            if (s.Size == 0)
            {
                continue;
            }
            if (s.MaxTimestampSoFar >= timestamp && s.TryFindOffsetByTimestamp(timestamp, start, out long off, out long ts))
            {
                return new OffsetLookupResult(ErrorCode.None, off, ts, EpochAt(off));
            }
        }
        return new OffsetLookupResult(ErrorCode.None, -1, -1, -1);
    }

    private int EpochAt(long offset)
    {
        IReadOnlyList<EpochEntry> e = _epochs!.Entries;
        for (int i = e.Count - 1; i >= 0; i--)
        {
            if (e[i].StartOffset <= offset)
            {
                return e[i].Epoch;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- deletion, truncation, retention

    /// <summary>
    /// DeleteRecords: moves the log start offset up to <paramref name="offset"/> (-1 means the high
    /// watermark) and deletes segments wholly below it. OFFSET_OUT_OF_RANGE above the high watermark.
    /// </summary>
    public (ErrorCode Error, long LogStartOffset) DeleteRecordsBefore(long offset)
    {
        EnsureLoaded();
        if (_offlineReason is not null)
        {
            return (ErrorCode.KafkaStorageError, -1);
        }
        lock (_lock)
        {
            long target = offset == -1 ? _highWatermark : offset;
            if (target < 0 || target > _highWatermark)
            {
                return (ErrorCode.OffsetOutOfRange, _logStartOffset);
            }
            if (target > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, target);
                _epochs!.TruncateFromStart(target);
                DeleteSegmentsLocked(NowMs, retentionOnly: false);
            }
        }
        _manager.OnLogStartOffsetChanged();
        return (ErrorCode.None, _logStartOffset);
    }

    /// <summary>
    /// Removes every batch holding an offset at or above <paramref name="offset"/> (a batch
    /// straddling it goes whole), for a follower whose log diverged from the leader's.
    /// </summary>
    public void TruncateTo(long offset)
    {
        EnsureUsable();
        lock (_lock)
        {
            if (offset >= _logEndOffset)
            {
                return;
            }
            long now = NowMs;
            LogSegment[] segs = _segments;
            if (offset <= _logStartOffset && offset <= segs[0].BaseOffset)
            {
                TruncateFullyAndStartAt(Math.Max(offset, 0), now);
                return;
            }
            var keep = new List<LogSegment>(segs.Length);
            foreach (LogSegment s in segs)
            {
                if (s.BaseOffset > offset && keep.Count > 0)
                {
                    s.MarkDeleted();
                    _manager.ScheduleFileDeletion(s, Config.FileDeleteDelayMs);
                }
                else
                {
                    keep.Add(s);
                }
            }
            _segments = [.. keep];
            LogSegment last = keep[^1];
            long next = last.TruncateTo(offset);
            if (next < 0)
            {
                throw new KafkaStorageException($"{TopicPartition}: {last.Log.Path} is damaged after truncation to {offset}");
            }
            PublishEnd(next);
            AfterTruncation(next);
            _logger.LogInformation("{Partition}: truncated to offset {Offset}", TopicPartition, next);
        }
    }

    private void TruncateFullyAndStartAt(long offset, long now)
    {
        foreach (LogSegment s in _segments)
        {
            s.MarkDeleted();
            _manager.ScheduleFileDeletion(s, Config.FileDeleteDelayMs);
        }
        _segments = [LogSegment.Create(Directory, offset, Config, _manager.HandleCache, now)];
        Volatile.Write(ref _logStartOffset, offset);
        PublishEnd(offset);
        _epochs!.Clear();
        AfterTruncation(offset);
        _logger.LogInformation("{Partition}: emptied, the log now starts at offset {Offset}", TopicPartition, offset);
    }

    private void AfterTruncation(long logEnd)
    {
        // A background flush running now started from the old segment list: it must not move the recovery point.
        _truncations++;
        _rollFlushTarget = Math.Min(_rollFlushTarget, _segments[^1].BaseOffset);
        _epochs!.TruncateFromEnd(logEnd);
        _producers!.DeleteSnapshotsAfter(logEnd);
        LogLoader.RebuildProducerState(_producers, _segments, _logStartOffset, logEnd);
        Volatile.Write(ref _highWatermark, Math.Min(_highWatermark, logEnd));
        Volatile.Write(ref _recoveryPoint, Math.Min(_recoveryPoint, logEnd));
    }

    /// <summary>One retention pass: segments past retention.ms / retention.bytes or below the log start offset.</summary>
    /// <returns>How many segments were deleted.</returns>
    public int DeleteOldSegments()
    {
        EnsureLoaded();
        if (_offlineReason is not null)
        {
            return 0;
        }
        int deleted;
        lock (_lock)
        {
            long now = NowMs;
            deleted = DeleteSegmentsLocked(now, retentionOnly: true);
            _producers!.RemoveExpired(now - _manager.Options.ProducerIdExpirationMs);
        }
        return deleted;
    }

    private int DeleteSegmentsLocked(long now, bool retentionOnly)
    {
        _ = retentionOnly;
        LogSegment[] segs = _segments;
        LogConfig config = Config;
        long total = 0;
        foreach (LogSegment s in segs)
        {
            total += s.Size;
        }
        long excess = config.RetentionBytes >= 0 ? total - config.RetentionBytes : 0;
        int n = 0;
        // Never the active segment, never data above the high watermark; always a prefix.
        while (n < segs.Length - 1)
        {
            LogSegment s = segs[n];
            long nextBase = segs[n + 1].BaseOffset;
            if (nextBase > _highWatermark)
            {
                break;
            }
            bool belowStart = nextBase <= _logStartOffset;
            bool byTime = config.Delete && config.RetentionMs >= 0 && now - s.LargestTimestamp > config.RetentionMs;
            bool bySize = config.Delete && config.RetentionBytes >= 0 && excess - s.Size >= 0;
            if (!belowStart && !byTime && !bySize)
            {
                break;
            }
            excess -= s.Size;
            n++;
        }
        if (n == 0)
        {
            return 0;
        }
        for (int i = 0; i < n; i++)
        {
            _logger.LogInformation("{Partition}: deleting segment {File} (retention)", TopicPartition, segs[i].Log.Path);
            segs[i].MarkDeleted();
            _manager.ScheduleFileDeletion(segs[i], config.FileDeleteDelayMs);
        }
        _segments = segs[n..];
        long newStart = Math.Max(_logStartOffset, segs[n].BaseOffset);
        Volatile.Write(ref _logStartOffset, newStart);
        _epochs!.TruncateFromStart(newStart);
        _producers!.DeleteOldSnapshots(newStart);
        return n;
    }

    // ---------------------------------------------------------------- compaction (LogCleaner)

    /// <summary>What the cleaner may look at: the segment list (immutable), the log start offset and the high watermark.</summary>
    internal (LogSegment[] Segments, long LogStart, long HighWatermark, long LogEnd) CleanerView()
    {
        EnsureLoaded();
        return (_segments, Volatile.Read(ref _logStartOffset), Volatile.Read(ref _highWatermark), Volatile.Read(ref _logEndOffset));
    }

    /// <summary>
    /// Puts a cleaned segment (its files named <c>*.swap</c>) in place of the consecutive closed segments
    /// it was built from. The old segments are renamed to <c>*.deleted</c> first, then the swap files
    /// take their final names, so a crash at any point leaves either the old segments or a complete
    /// <c>.swap</c> that the loader finishes installing. Readers holding an old segment keep its file
    /// and its loaded indexes until they release it; readers arriving later see the new segment.
    /// </summary>
    /// <returns>False, changing nothing, when the sources are no longer consecutive closed segments of the log.</returns>
    internal bool ReplaceSegments(LogSegment[] sources, LogSegment cleaned)
    {
        lock (_lock)
        {
            LogSegment[] segs = _segments;
            int first = Array.IndexOf(segs, sources[0]);
            if (_offlineReason is not null || first < 0 || first + sources.Length > segs.Length - 1)
            {
                return false;
            }
            for (int k = 1; k < sources.Length; k++)
            {
                if (!ReferenceEquals(segs[first + k], sources[k]))
                {
                    return false;
                }
            }
            foreach (LogSegment old in sources)
            {
                // Readers that still hold the old segment look offsets up in its in-memory indexes.
                // Renamed but not retired yet: a reader with the previous list can still open it.
                old.EnsureIndexes();
                old.RenameFiles("", LogFileNames.DeletedSuffix);
            }
            cleaned.RenameFiles(LogFileNames.SwapSuffix, "");
            var next = new LogSegment[segs.Length - sources.Length + 1];
            Array.Copy(segs, next, first);
            next[first] = cleaned;
            Array.Copy(segs, first + sources.Length, next, first + 1, segs.Length - first - sources.Length);
            _segments = next;
            foreach (LogSegment old in sources)
            {
                old.Retire(); // only after the new list is published, so retrying readers find the new segment
                _manager.ScheduleFileDeletion(old, Config.FileDeleteDelayMs);
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- durability

    /// <summary>fsyncs everything appended so far and moves the recovery point to the log end.</summary>
    public void Flush()
    {
        EnsureUsable();
        lock (_lock)
        {
            FlushLocked();
        }
    }

    private void FlushLocked()
    {
        long leo = _logEndOffset;
        LogSegment[] segs = _segments;
        for (int i = 0; i < segs.Length; i++)
        {
            if (i == segs.Length - 1 || segs[i + 1].BaseOffset > _recoveryPoint)
            {
                segs[i].Flush();
            }
        }
        _epochs!.Sync(); // epochs starting below the recovery point are not rebuilt by recovery
        Volatile.Write(ref _recoveryPoint, leo);
        _unflushedMessages = 0;
        _lastFlushMs = NowMs;
    }

    /// <summary>flush.ms: fsync when the oldest unflushed append is older than the setting.</summary>
    internal void FlushIfDue(long now)
    {
        if (!_loaded || _offlineReason is not null || Config.FlushMs == long.MaxValue)
        {
            return;
        }
        lock (_lock)
        {
            if (_unflushedMessages > 0 && now - _lastFlushMs >= Config.FlushMs)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>
    /// Clean close: index files written, producer snapshot at the log end, data fsync'd. A background
    /// flush that is running is waited for (so its handle leases are released); one still queued never
    /// starts, the flush here covers its segments.
    /// </summary>
    internal void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
        lock (_rollFlushRunningGate)
        {
            while (_rollFlushRunning)
            {
                Monitor.Wait(_rollFlushRunningGate);
            }
        }
        if (!_loaded || _offlineReason is not null)
        {
            return;
        }
        lock (_lock)
        {
            FlushLocked();
            foreach (LogSegment s in _segments)
            {
                s.Close();
            }
            _producers!.CommitPending(_logEndOffset);
            if (_producers.MapEndOffset == _logEndOffset)
            {
                _producers.TakeSnapshot();
                _producers.DeleteOldSnapshots(_logStartOffset);
            }
        }
    }

    /// <summary>Topic deletion: the partition stops serving and its files are renamed away.</summary>
    internal void MarkDeletedAndClose(string newDirectory)
    {
        lock (_lock)
        {
            _offlineReason = $"{TopicPartition} was deleted";
            _closed = true;
            foreach (LogSegment s in _segments)
            {
                s.Retire(); // a background flush holding a lease finishes on the moved files and closes the handle
            }
            System.IO.Directory.Move(Directory, newDirectory);
        }
    }

    /// <summary>Offsets the log manager checkpoints; null while not loaded or offline.</summary>
    internal (long RecoveryPoint, long LogStart, long HighWatermark)? CheckpointValues()
    {
        if (!_loaded || _offlineReason is not null)
        {
            return null;
        }
        return (Volatile.Read(ref _recoveryPoint), Volatile.Read(ref _logStartOffset), Volatile.Read(ref _highWatermark));
    }

    internal (long RecoveryPoint, long LogStart, long HighWatermark) CheckpointDefaults =>
        (_checkpointRecoveryPoint, Volatile.Read(ref _logStartOffset), _checkpointHighWatermark);
}
