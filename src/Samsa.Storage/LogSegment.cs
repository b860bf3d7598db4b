using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Samsa.Protocol.Records;
using Samsa.Storage.Files;

namespace Samsa.Storage;

/// <summary>Where a batch sits in a segment and what its header says.</summary>
internal readonly record struct BatchPosition(long Position, long BaseOffset, long LastOffset, int Size, long MaxTimestamp, short Attributes)
{
    public bool Compressed => (Attributes & 0x07) != 0;
    public bool LogAppendTime => (Attributes & 0x08) != 0;
}

/// <summary>What a recovery scan of one segment found.</summary>
internal readonly record struct SegmentScan(long ValidBytes, long NextOffset, int Batches, string? Damage, long DamageOffset);

/// <summary>
/// One segment of a partition log: <c>&lt;baseOffset&gt;.log</c> (record batches back to back,
/// exactly as on the wire, offsets assigned) with its <see cref="OffsetIndex"/> and <see cref="TimeIndex"/>.
/// <para>Only the partition's newest segment is appended to. Its size is published after the bytes
/// are written, and index entries after the size, so a reader never sees a partial batch and an index
/// entry never points past the published end.</para>
/// <para>Thread-safety: mutation (append, truncate, recover, roll) happens under the owning
/// partition's lock; reads and lookups are safe concurrently with them, and so is <see cref="Flush"/>,
/// which the background flush of a rolled segment runs without that lock. Indexes load lazily on the
/// first lookup.</para>
/// </summary>
internal sealed class LogSegment
{
    private const int ScanChunk = 1024 * 1024;

    private readonly Lock _loadGate = new();
    private volatile bool _indexesLoaded;
    private long _size;
    private int _bytesSinceLastIndexEntry;
    private long _maxTimestampSoFar = -1;
    private long _offsetOfMaxTimestampSoFar = -1;
    private long _rollingBasedTimestamp = -1;
    // The newest batch, for the offset index entry a segment gets when it is sealed or closed; writer only.
    private long _lastBatchPosition = -1;
    private long _lastBatchLastOffset = -1;

    private LogSegment(string dir, long baseOffset, LogConfig config, SegmentFile log, long size, long createdMs, string suffix = "")
    {
        Directory = dir;
        BaseOffset = baseOffset;
        Config = config;
        Log = log;
        _size = size;
        CreatedMs = createdMs;
        OffsetIndex = new OffsetIndex(LogFileNames.IndexFile(dir, baseOffset) + suffix, baseOffset, config.MaxIndexEntries);
        TimeIndex = new TimeIndex(LogFileNames.TimeIndexFile(dir, baseOffset) + suffix, baseOffset, Math.Max(1, config.SegmentIndexBytes / TimeIndex.EntrySize));
    }

    /// <summary>
    /// A new segment the cleaner writes beside the one it replaces: every file carries
    /// <paramref name="suffix"/> (<c>.cleaned</c>) until <see cref="RenameFiles"/> moves it into place.
    /// Leftovers of an earlier attempt are replaced.
    /// </summary>
    public static LogSegment CreateWithSuffix(string dir, long baseOffset, LogConfig config, FileHandleCache cache, long nowMs, string suffix)
    {
        string path = LogFileNames.LogFile(dir, baseOffset) + suffix;
        File.Delete(path);
        File.Delete(LogFileNames.IndexFile(dir, baseOffset) + suffix);
        File.Delete(LogFileNames.TimeIndexFile(dir, baseOffset) + suffix);
        var seg = new LogSegment(dir, baseOffset, config, new SegmentFile(path, cache, create: true), 0, nowMs, suffix);
        seg.OffsetIndex.Reset();
        seg.TimeIndex.Reset();
        seg._indexesLoaded = true;
        return seg;
    }

    /// <summary>Renames the three files from one suffix to another (identity, handle and loaded indexes are kept).</summary>
    public void RenameFiles(string fromSuffix, string toSuffix)
    {
        Log.Rename(Strip(Log.Path, fromSuffix) + toSuffix);
        OffsetIndex.Rename(Strip(OffsetIndex.Path, fromSuffix) + toSuffix);
        TimeIndex.Rename(Strip(TimeIndex.Path, fromSuffix) + toSuffix);

        static string Strip(string path, string suffix) =>
            suffix.Length > 0 && path.EndsWith(suffix, StringComparison.Ordinal) ? path[..^suffix.Length] : path;
    }

    public static LogSegment Create(string dir, long baseOffset, LogConfig config, FileHandleCache cache, long nowMs)
    {
        string path = LogFileNames.LogFile(dir, baseOffset);
        // A leftover empty file of a previous attempt at this offset (crash right after a roll) is fine to replace.
        if (File.Exists(path) && new FileInfo(path).Length == 0)
        {
            File.Delete(path);
        }
        var seg = new LogSegment(dir, baseOffset, config, new SegmentFile(path, cache, create: true), 0, nowMs);
        seg.OffsetIndex.Reset();
        seg.TimeIndex.Reset();
        seg._indexesLoaded = true;
        return seg;
    }

    public static LogSegment Open(string dir, long baseOffset, LogConfig config, FileHandleCache cache)
    {
        string path = LogFileNames.LogFile(dir, baseOffset);
        var info = new FileInfo(path);
        return new LogSegment(dir, baseOffset, config, new SegmentFile(path, cache, create: false), info.Length,
            new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds());
    }

    public string Directory { get; }
    /// <summary>Replaced when the topic config changes (roll and index settings apply from then on).</summary>
    public LogConfig Config { get; set; }
    public long BaseOffset { get; }
    public SegmentFile Log { get; }
    public OffsetIndex OffsetIndex { get; }
    public TimeIndex TimeIndex { get; }
    public long CreatedMs { get; private set; }
    public long Size => Volatile.Read(ref _size);

    /// <summary>The largest batch timestamp in the segment, -1 when none has one.</summary>
    public long MaxTimestampSoFar
    {
        get
        {
            EnsureIndexes();
            return Volatile.Read(ref _maxTimestampSoFar);
        }
    }

    /// <summary>Last offset of the batch holding <see cref="MaxTimestampSoFar"/>.</summary>
    public long OffsetOfMaxTimestampSoFar
    {
        get
        {
            EnsureIndexes();
            return Volatile.Read(ref _offsetOfMaxTimestampSoFar);
        }
    }

    /// <summary>For retention: newest timestamp, or the file's modification time when there is none.</summary>
    public long LargestTimestamp
    {
        get
        {
            long ts = MaxTimestampSoFar;
            if (ts >= 0)
            {
                return ts;
            }
            string path = Log.Path;
            return File.Exists(path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeMilliseconds() : CreatedMs;
        }
    }

    /// <summary>Set by the loader when the index files had to be rebuilt from the log.</summary>
    public bool IndexesRebuilt { get; private set; }

    public bool IndexesLoaded => _indexesLoaded;

    /// <summary>Loads both index files, rebuilding them from the log when missing or failing the sanity checks.</summary>
    public void EnsureIndexes()
    {
        if (_indexesLoaded)
        {
            return;
        }
        lock (_loadGate)
        {
            if (_indexesLoaded)
            {
                return;
            }
            long size = Size;
            if (OffsetIndex.TryLoad(size) && TimeIndex.TryLoad(long.MaxValue))
            {
                (long ts, long off) = TimeIndex.LastEntry;
                _maxTimestampSoFar = ts;
                _offsetOfMaxTimestampSoFar = ts >= 0 ? off : -1;
            }
            else
            {
                Scan(validate: true, allowTruncate: false);
                IndexesRebuilt = true;
            }
            _indexesLoaded = true;
        }
    }

    /// <summary>
    /// Scans the whole file, validating every batch (magic, lengths, CRC, increasing offsets) and
    /// rebuilding both indexes. At the first damage it stops; with <paramref name="allowTruncate"/>
    /// the file is cut there, otherwise it is left as is and the damage is reported.
    /// </summary>
    public SegmentScan Scan(bool validate, bool allowTruncate)
    {
        OffsetIndex.Reset();
        TimeIndex.Reset();
        _maxTimestampSoFar = -1;
        _offsetOfMaxTimestampSoFar = -1;
        _bytesSinceLastIndexEntry = 0;
        _rollingBasedTimestamp = -1;
        _lastBatchPosition = -1;
        long size = new FileInfo(Log.Path).Length;
        SafeFileHandle h = Log.Acquire();
        byte[] buf = ArrayPool<byte>.Shared.Rent(ScanChunk);
        try
        {
            long bufStart = 0;
            int bufLen = 0;
            long pos = 0;
            long next = BaseOffset;
            int batches = 0;
            string? damage = null;
            while (pos < size)
            {
                if (size - pos < RecordBatchLayout.LogOverhead)
                {
                    damage = $"{size - pos} trailing bytes are not a whole batch header";
                    break;
                }
                ReadOnlySpan<byte> head = Window(h, pos, RecordBatchLayout.LogOverhead, buf, ref bufStart, ref bufLen);
                int length = BinaryPrimitives.ReadInt32BigEndian(head[RecordBatchLayout.BatchLengthOffset..]);
                if (length < BatchValidation.MinBatchLength)
                {
                    damage = $"batch length {length} is impossible";
                    break;
                }
                long total = (long)length + RecordBatchLayout.LogOverhead;
                if (pos + total > size)
                {
                    damage = $"batch of {total} bytes is cut by the end of the file";
                    break;
                }
                byte[]? big = null;
                try
                {
                    ReadOnlySpan<byte> batch;
                    if (total <= buf.Length)
                    {
                        batch = Window(h, pos, (int)total, buf, ref bufStart, ref bufLen);
                    }
                    else
                    {
                        big = ArrayPool<byte>.Shared.Rent((int)total);
                        ReadExactly(h, big.AsSpan(0, (int)total), pos);
                        batch = big.AsSpan(0, (int)total);
                    }
                    string? why = validate ? BatchValidation.CheckStructure(batch)
                        : (batch[RecordBatchLayout.MagicOffset] == RecordBatchLayout.CurrentMagic ? null : "magic is not 2");
                    var hdr = new RecordBatchHeader(batch);
                    if (why is null && hdr.BaseOffset < next)
                    {
                        why = $"base offset {hdr.BaseOffset} does not follow offset {next - 1}";
                    }
                    if (why is null && hdr.LastOffset - BaseOffset > int.MaxValue)
                    {
                        why = $"offset {hdr.LastOffset} overflows the segment's relative offsets";
                    }
                    if (why is not null)
                    {
                        damage = why;
                        break;
                    }
                    OnBatch(new BatchPosition(pos, hdr.BaseOffset, hdr.LastOffset, (int)total, hdr.MaxTimestamp, hdr.Attributes));
                    next = hdr.LastOffset + 1;
                    batches++;
                    pos += total;
                }
                finally
                {
                    if (big is not null)
                    {
                        ArrayPool<byte>.Shared.Return(big);
                    }
                }
            }
            if (damage is not null && allowTruncate)
            {
                RandomAccess.SetLength(h, pos);
                size = pos;
            }
            Volatile.Write(ref _size, damage is not null && !allowTruncate ? size : pos);
            _indexesLoaded = true;
            return new SegmentScan(pos, next, batches, damage, next);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
            Log.Release();
        }
    }

    /// <summary>
    /// For the newest segment after a clean shutdown: loads the indexes and reads only the batch
    /// headers after the last index entry. Returns the next offset, or -1 when the tail does not end
    /// on a batch boundary (then the caller runs a full <see cref="Scan"/>).
    /// </summary>
    public long LoadTail()
    {
        EnsureIndexes();
        (long offset, int position) = OffsetIndex.Count == 0 ? (BaseOffset, 0) : OffsetIndex.Entry(OffsetIndex.Count - 1);
        long size = Size;
        long next = OffsetIndex.Count == 0 ? BaseOffset : offset;
        long pos = position;
        _bytesSinceLastIndexEntry = 0;
        _lastBatchPosition = -1;
        SafeFileHandle h = Log.Acquire();
        try
        {
            Span<byte> head = stackalloc byte[RecordBatchLayout.HeaderSize];
            if (size > 0 && TryReadHeader(h, 0, size, head, out BatchPosition first))
            {
                _rollingBasedTimestamp = first.MaxTimestamp;
            }
            while (pos < size)
            {
                if (!TryReadHeader(h, pos, size, head, out BatchPosition b) || b.BaseOffset < BaseOffset)
                {
                    return -1;
                }
                if (b.MaxTimestamp > _maxTimestampSoFar)
                {
                    _maxTimestampSoFar = b.MaxTimestamp;
                    _offsetOfMaxTimestampSoFar = b.LastOffset;
                }
                (_lastBatchPosition, _lastBatchLastOffset) = (b.Position, b.LastOffset);
                next = b.LastOffset + 1;
                pos += b.Size;
            }
            _bytesSinceLastIndexEntry = (int)Math.Min(int.MaxValue, size - position);
            return pos == size ? next : -1;
        }
        finally
        {
            Log.Release();
        }
    }

    /// <summary>Appends batches whose offsets are assigned; index entries follow Kafka's rule (one per index.interval.bytes).</summary>
    public void Append(ReadOnlySpan<byte> batches, long nowMs)
    {
        long start = Size;
        SafeFileHandle h = Log.Acquire();
        try
        {
            RandomAccess.Write(h, batches, start);
        }
        finally
        {
            Log.Release();
        }
        if (start == 0)
        {
            CreatedMs = nowMs;
        }
        Volatile.Write(ref _size, start + batches.Length);
        int p = 0;
        while (p < batches.Length)
        {
            var hdr = new RecordBatchHeader(batches[p..]);
            int total = hdr.TotalSize;
            OnBatch(new BatchPosition(start + p, hdr.BaseOffset, hdr.LastOffset, total, hdr.MaxTimestamp, hdr.Attributes));
            p += total;
        }
    }

    private void OnBatch(in BatchPosition b)
    {
        (_lastBatchPosition, _lastBatchLastOffset) = (b.Position, b.LastOffset);
        if (_rollingBasedTimestamp < 0 && b.Position == 0)
        {
            _rollingBasedTimestamp = b.MaxTimestamp;
        }
        if (b.MaxTimestamp > _maxTimestampSoFar)
        {
            Volatile.Write(ref _offsetOfMaxTimestampSoFar, b.LastOffset);
            Volatile.Write(ref _maxTimestampSoFar, b.MaxTimestamp);
        }
        if (_bytesSinceLastIndexEntry > Config.IndexIntervalBytes)
        {
            if (!OffsetIndex.IsFull)
            {
                OffsetIndex.Append(b.LastOffset, (int)b.Position);
            }
            TimeIndex.MaybeAppend(_maxTimestampSoFar, _offsetOfMaxTimestampSoFar);
            _bytesSinceLastIndexEntry = 0;
        }
        _bytesSinceLastIndexEntry += b.Size;
    }

    /// <summary>Kafka's roll test for the next append of <paramref name="bytes"/> ending at <paramref name="lastOffset"/>.</summary>
    public bool ShouldRoll(int bytes, long maxTimestampInAppend, long lastOffset, long nowMs)
    {
        long size = Size;
        if (size == 0)
        {
            return false;
        }
        if (size + bytes > Config.SegmentBytes)
        {
            return true;
        }
        long waited = _rollingBasedTimestamp >= 0 && maxTimestampInAppend >= 0
            ? maxTimestampInAppend - _rollingBasedTimestamp
            : nowMs - CreatedMs;
        if (waited > Config.SegmentMs - Config.SegmentJitterMs)
        {
            return true;
        }
        EnsureIndexes();
        return OffsetIndex.IsFull || TimeIndex.IsFull || lastOffset - BaseOffset > int.MaxValue;
    }

    /// <summary>Reads a batch header at <paramref name="position"/>; false if the bytes there are not a plausible header.</summary>
    public static bool TryReadHeader(SafeFileHandle h, long position, long limit, Span<byte> buffer, out BatchPosition batch)
    {
        batch = default;
        if (limit - position < RecordBatchLayout.HeaderSize)
        {
            return false;
        }
        Span<byte> head = buffer[..RecordBatchLayout.HeaderSize];
        if (RandomAccess.Read(h, head, position) < head.Length)
        {
            return false;
        }
        var hdr = new RecordBatchHeader(head);
        if (hdr.BatchLength < BatchValidation.MinBatchLength || hdr.Magic != RecordBatchLayout.CurrentMagic
            || position + hdr.TotalSize > limit || hdr.LastOffsetDelta < 0)
        {
            return false;
        }
        batch = new BatchPosition(position, hdr.BaseOffset, hdr.LastOffset, hdr.TotalSize, hdr.MaxTimestamp, hdr.Attributes);
        return true;
    }

    /// <summary>
    /// The first batch whose last offset is at least <paramref name="offset"/>, found from the index
    /// entry at or below it; false when no such batch lies before <paramref name="limit"/>.
    /// </summary>
    public bool TryTranslateOffset(SafeFileHandle h, long offset, long limit, out BatchPosition batch)
    {
        EnsureIndexes();
        (_, int pos) = OffsetIndex.Lookup(offset);
        long p = pos;
        Span<byte> head = stackalloc byte[RecordBatchLayout.HeaderSize];
        while (TryReadHeader(h, p, limit, head, out batch))
        {
            if (batch.LastOffset >= offset)
            {
                return true;
            }
            p += batch.Size;
        }
        batch = default;
        return false;
    }

    /// <summary>
    /// Locates the bytes for a fetch: from the batch holding <paramref name="startOffset"/> up to
    /// <paramref name="maxSize"/> bytes (at least the first batch when <paramref name="minOneMessage"/>),
    /// never past <paramref name="maxPosition"/>. The caller holds a lease on <see cref="Log"/>.
    /// </summary>
    public bool TryRead(SafeFileHandle h, long startOffset, int maxSize, long maxPosition, bool minOneMessage, out long position, out int length)
    {
        position = 0;
        length = 0;
        long limit = Math.Min(Size, maxPosition);
        if (!TryTranslateOffset(h, startOffset, limit, out BatchPosition first))
        {
            return false;
        }
        position = first.Position;
        long available = limit - first.Position;
        long want = minOneMessage ? Math.Max(maxSize, first.Size) : maxSize;
        length = (int)Math.Min(available, want);
        return true;
    }

    /// <summary>
    /// Kafka's timestamp lookup within the segment: the first record at or after
    /// <paramref name="startingOffset"/> whose timestamp is at least <paramref name="timestamp"/>.
    /// </summary>
    public bool TryFindOffsetByTimestamp(long timestamp, long startingOffset, out long offset, out long recordTimestamp)
    {
        offset = -1;
        recordTimestamp = -1;
        EnsureIndexes();
        if (MaxTimestampSoFar < timestamp)
        {
            return false;
        }
        long hintOffset = Math.Max(TimeIndex.Lookup(timestamp), startingOffset);
        (_, int pos) = OffsetIndex.Lookup(hintOffset);
        if (!Log.TryAcquire(out SafeFileHandle h))
        {
            return false;
        }
        try
        {
            long limit = Size;
            long p = pos;
            Span<byte> head = stackalloc byte[RecordBatchLayout.HeaderSize];
            while (TryReadHeader(h, p, limit, head, out BatchPosition b))
            {
                if (b.LastOffset >= startingOffset && b.MaxTimestamp >= timestamp)
                {
                    return Refine(h, b, timestamp, startingOffset, exact: false, out offset, out recordTimestamp);
                }
                p += b.Size;
            }
            return false;
        }
        finally
        {
            Log.Release();
        }
    }

    /// <summary>The offset of the record carrying the segment's largest timestamp.</summary>
    public bool TryFindOffsetOfMaxTimestamp(out long offset, out long timestamp)
    {
        timestamp = MaxTimestampSoFar;
        offset = OffsetOfMaxTimestampSoFar;
        if (timestamp < 0 || !Log.TryAcquire(out SafeFileHandle h))
        {
            return timestamp >= 0;
        }
        try
        {
            if (TryTranslateOffset(h, offset, Size, out BatchPosition b)
                && Refine(h, b, timestamp, b.BaseOffset, exact: true, out long exactOffset, out _))
            {
                offset = exactOffset;
            }
            return true;
        }
        finally
        {
            Log.Release();
        }
    }

    /// <summary>Narrows a batch to the exact record by walking its records (decompressing if needed).</summary>
    private static bool Refine(SafeFileHandle h, in BatchPosition b, long timestamp, long minOffset, bool exact, out long offset, out long recordTimestamp)
    {
        offset = Math.Max(b.BaseOffset, minOffset);
        recordTimestamp = b.MaxTimestamp;
        if (b.LogAppendTime)
        {
            return true; // every record carries the batch's append time
        }
        byte[] buf = ArrayPool<byte>.Shared.Rent(b.Size);
        try
        {
            Span<byte> batch = buf.AsSpan(0, b.Size);
            ReadExactly(h, batch, b.Position);
            if (!b.Compressed)
            {
                if (RecordWalker.TryFind(batch, timestamp, minOffset, exact, out long o, out long ts))
                {
                    offset = o;
                    recordTimestamp = ts;
                }
                return true;
            }
            try
            {
                foreach (Record r in new RecordBatch(batch).GetRecords())
                {
                    if (r.Offset >= minOffset && (exact ? r.Timestamp == timestamp : r.Timestamp >= timestamp))
                    {
                        offset = r.Offset;
                        recordTimestamp = r.Timestamp;
                        break;
                    }
                }
            }
            catch (Samsa.Protocol.KafkaProtocolException)
            {
                // Undecodable records: answer with the batch, the same one a consumer would be positioned in.
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>Removes every batch holding an offset at or above <paramref name="offset"/>; returns the segment's next offset (-1 if its tail is damaged).</summary>
    public long TruncateTo(long offset)
    {
        EnsureIndexes();
        SafeFileHandle h = Log.Acquire();
        try
        {
            long size = Size;
            if (!TryTranslateOffset(h, offset, size, out BatchPosition b))
            {
                return LoadTail();
            }
            // A batch straddling the offset goes entirely (offsets are never split inside a batch).
            long cut = b.Position;
            RandomAccess.SetLength(h, cut);
            Volatile.Write(ref _size, cut);
            OffsetIndex.TruncateTo(b.BaseOffset, cut);
            TimeIndex.TruncateTo(b.BaseOffset);
            (long ts, long off) = TimeIndex.LastEntry;
            _maxTimestampSoFar = ts;
            _offsetOfMaxTimestampSoFar = ts >= 0 ? off : -1;
            if (cut == 0)
            {
                _rollingBasedTimestamp = -1;
            }
        }
        finally
        {
            Log.Release();
        }
        // Recompute the tail state (max timestamp, bytes since the last entry) from the last entry on.
        return LoadTail();
    }

    /// <summary>
    /// Called under the partition lock when a newer segment takes over: the final time index entry.
    /// Memory only; the fsync of the data and indexes (<see cref="Flush"/>) is the background flush's.
    /// </summary>
    public void Seal()
    {
        EnsureIndexes();
        AppendFinalIndexEntries();
    }

    /// <summary>
    /// The time index entry of the largest timestamp, and an offset index entry for the last batch.
    /// The latter is beyond Kafka's one-per-index.interval.bytes (lookups do not need it) because
    /// index files are only ever written after the data they point to was fsync'd: an entry for the
    /// last batch on disk is the segment's own proof that all of it reached the disk, which recovery
    /// uses to tell corruption from a write torn by a crash (<see cref="LastIndexedPositionOnDisk"/>).
    /// </summary>
    private void AppendFinalIndexEntries()
    {
        if (_maxTimestampSoFar >= 0)
        {
            TimeIndex.MaybeAppend(_maxTimestampSoFar, _offsetOfMaxTimestampSoFar);
        }
        if (_lastBatchPosition >= 0 && !OffsetIndex.IsFull && _lastBatchLastOffset - BaseOffset <= int.MaxValue)
        {
            OffsetIndex.Append(_lastBatchLastOffset, (int)_lastBatchPosition);
        }
    }

    /// <summary>
    /// The largest batch position in the segment's offset index file as it is on disk (-1 when there is
    /// none). Index files are written only after an fsync of the data they point to, so the batch at
    /// that position and everything before it were on disk before the stop.
    /// </summary>
    public long LastIndexedPositionOnDisk()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(OffsetIndex.Path);
        }
        catch (FileNotFoundException)
        {
            return -1;
        }
        long max = -1;
        for (int i = 0; i + OffsetIndex.EntrySize <= bytes.Length; i += OffsetIndex.EntrySize)
        {
            max = Math.Max(max, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i + 4)));
        }
        return max;
    }

    /// <summary><see cref="Seal"/> and <see cref="Flush"/> at once (the cleaner's finished segments).</summary>
    public void OnBecomeInactive()
    {
        Seal();
        Flush();
    }

    /// <summary>
    /// fsyncs the data, then writes and fsyncs both index files. Safe concurrently with appends, reads,
    /// renames and deletion: a deleted segment is skipped (its handle is leased, never reopened; a
    /// retired index is never written again).
    /// </summary>
    public void Flush()
    {
        // Only entries that existed before the data fsync are written: each must point at fsync'd bytes.
        int offsetEntries = OffsetIndex.Count, timeEntries = TimeIndex.Count;
        if (Log.TryAcquire(out SafeFileHandle h))
        {
            try
            {
                RandomAccess.FlushToDisk(h);
            }
            finally
            {
                Log.Release();
            }
        }
        if (_indexesLoaded)
        {
            OffsetIndex.Persist(fsync: true, offsetEntries);
            TimeIndex.Persist(fsync: true, timeEntries);
        }
    }

    /// <summary>Clean close: the final time index entry and the index files written (no fsync of the data needed beyond the caller's).</summary>
    public void Close()
    {
        if (_indexesLoaded)
        {
            AppendFinalIndexEntries();
            OffsetIndex.Persist(fsync: false);
            TimeIndex.Persist(fsync: false);
        }
        Log.TryCloseIdle();
    }

    /// <summary>First step of deletion: rename every file to <c>*.deleted</c> and retire the handle.</summary>
    public void MarkDeleted()
    {
        Log.Rename(Log.Path + LogFileNames.DeletedSuffix);
        OffsetIndex.Rename(OffsetIndex.Path + LogFileNames.DeletedSuffix);
        TimeIndex.Rename(TimeIndex.Path + LogFileNames.DeletedSuffix);
        Retire();
    }

    /// <summary>The segment left the log: its files are never reopened or rewritten by this object again.</summary>
    public void Retire()
    {
        OffsetIndex.Retire();
        TimeIndex.Retire();
        Log.Retire();
    }

    /// <summary>Second step: remove the renamed files (readers still holding the handle keep reading on Unix).</summary>
    public void DeleteFiles()
    {
        TryDelete(Log.Path);
        TryDelete(OffsetIndex.Path);
        TryDelete(TimeIndex.Path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Retried by the next cleanup of leftover .deleted files.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static ReadOnlySpan<byte> Window(SafeFileHandle h, long pos, int count, byte[] buf, scoped ref long bufStart, scoped ref int bufLen)
    {
        if (pos < bufStart || pos + count > bufStart + bufLen)
        {
            bufStart = pos;
            bufLen = 0;
            while (bufLen < buf.Length)
            {
                int n = RandomAccess.Read(h, buf.AsSpan(bufLen), pos + bufLen);
                if (n == 0)
                {
                    break;
                }
                bufLen += n;
            }
            if (bufLen < count)
            {
                throw new IOException($"short read at position {pos}");
            }
        }
        return buf.AsSpan((int)(pos - bufStart), count);
    }

    internal static void ReadExactly(SafeFileHandle h, Span<byte> destination, long position)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(h, destination[done..], position + done);
            if (n == 0)
            {
                throw new IOException($"short read at position {position + done}");
            }
            done += n;
        }
    }
}
