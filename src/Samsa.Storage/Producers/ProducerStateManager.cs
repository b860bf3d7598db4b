using System.Buffers.Binary;
using Samsa.Protocol.Records;

using Samsa.Protocol;

namespace Samsa.Storage.Producers;

/// <summary>
/// Idempotent-producer state of one partition: per producer id the epoch and the last five batches.
/// <para>Snapshot files <c>&lt;offset&gt;.snapshot</c> hold the state as of that log offset in Kafka's
/// format (version 1): int16 version, uint32 CRC-32C of the rest, int32 count, then per producer
/// int64 id, int16 epoch, int32 last sequence, int64 last offset, int32 offset delta, int64 timestamp,
/// int32 coordinator epoch, int64 current transaction first offset; all big-endian. Like Kafka's, a
/// snapshot keeps only each producer's last batch; the log tail after it is replayed on load.</para>
/// Thread-safety: none; the owning partition calls it under its lock, except <see cref="SyncSnapshots"/>.
/// </summary>
internal sealed class ProducerStateManager
{
    private const short SnapshotVersion = 1;
    private const int EntrySize = 46;
    private const int HeaderSize = 10;

    private readonly string _dir;
    private Dictionary<long, ProducerStateEntry> _producers = [];
    private Dictionary<long, ProducerStateEntry>? _pending;

    public ProducerStateManager(string dir)
    {
        _dir = dir;
    }

    /// <summary>The state covers the log up to (not including) this offset.</summary>
    public long MapEndOffset { get; private set; }

    public int ProducerCount => _producers.Count;

    public ProducerStateEntry? Get(long producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>
    /// Leader-side check of one batch before it is appended. Returns the error to answer with, or
    /// None; <paramref name="duplicate"/> is set when the batch was already appended (a retry).
    /// Accepted batches are staged and take effect with <see cref="CommitPending"/>.
    /// </summary>
    public ErrorCode CheckAndStage(ReadOnlySpan<byte> batch, long baseOffset, out BatchMetadata? duplicate, out string? message)
    {
        duplicate = null;
        message = null;
        var h = new RecordBatchHeader(batch);
        long pid = h.ProducerId;
        if (pid < 0)
        {
            return ErrorCode.None;
        }
        _pending ??= [];
        ProducerStateEntry? entry = _pending.GetValueOrDefault(pid) ?? _producers.GetValueOrDefault(pid);
        short epoch = h.ProducerEpoch;
        int firstSeq = h.BaseSequence;
        int lastSeq = IncrementSequence(firstSeq, h.LastOffsetDelta);
        if (entry is not null && entry.Epoch >= 0)
        {
            if (epoch < entry.Epoch)
            {
                message = $"producer {pid} epoch {epoch} is older than the current epoch {entry.Epoch}";
                return ErrorCode.InvalidProducerEpoch;
            }
            if (epoch == entry.Epoch)
            {
                duplicate = entry.FindDuplicate(firstSeq, lastSeq);
                if (duplicate is not null)
                {
                    return ErrorCode.None;
                }
                if (entry.BatchCount > 0 && !InSequence(entry.LastSeq, firstSeq))
                {
                    message = $"producer {pid} epoch {epoch}: sequence {firstSeq} does not follow {entry.LastSeq}";
                    return ErrorCode.OutOfOrderSequenceNumber;
                }
            }
            else if (firstSeq != 0)
            {
                message = $"producer {pid}: a new epoch {epoch} must start at sequence 0, not {firstSeq}";
                return ErrorCode.OutOfOrderSequenceNumber;
            }
        }
        ProducerStateEntry staged = entry is null ? new ProducerStateEntry(pid) : (_pending.ContainsKey(pid) ? entry : entry.Clone());
        Apply(staged, epoch, firstSeq, lastSeq, baseOffset, baseOffset + h.LastOffsetDelta, h.MaxTimestamp);
        _pending[pid] = staged;
        return ErrorCode.None;
    }

    public void CommitPending(long mapEndOffset)
    {
        if (_pending is not null)
        {
            foreach ((long pid, ProducerStateEntry e) in _pending)
            {
                _producers[pid] = e;
            }
            _pending.Clear();
        }
        MapEndOffset = mapEndOffset;
    }

    public void DiscardPending() => _pending?.Clear();

    /// <summary>Follower appends and log replay: take the batch as it is, no checks.</summary>
    public void Replay(in BatchPosition b, long producerId, short epoch, int baseSequence)
    {
        if (producerId >= 0)
        {
            if (!_producers.TryGetValue(producerId, out ProducerStateEntry? e))
            {
                e = new ProducerStateEntry(producerId);
                _producers[producerId] = e;
            }
            int lastSeq = IncrementSequence(baseSequence, (int)(b.LastOffset - b.BaseOffset));
            Apply(e, epoch, baseSequence, lastSeq, b.BaseOffset, b.LastOffset, b.MaxTimestamp);
        }
        MapEndOffset = b.LastOffset + 1;
    }

    private static void Apply(ProducerStateEntry e, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp)
    {
        if (e.Epoch != epoch)
        {
            e.ClearBatches();
            e.Epoch = epoch;
        }
        if (firstSeq < 0)
        {
            e.LastTimestamp = timestamp; // a control batch: no sequence to remember
            return;
        }
        e.AddBatch(new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, timestamp));
    }

    /// <summary>Forgets producers whose last append is older than <paramref name="cutoffMs"/> (producer.id.expiration.ms).</summary>
    public int RemoveExpired(long cutoffMs)
    {
        List<long>? expired = null;
        foreach ((long pid, ProducerStateEntry e) in _producers)
        {
            if (e.LastTimestamp >= 0 && e.LastTimestamp < cutoffMs && e.CurrentTxnFirstOffset < 0)
            {
                (expired ??= []).Add(pid);
            }
        }
        if (expired is not null)
        {
            foreach (long pid in expired)
            {
                _producers.Remove(pid);
            }
        }
        return expired?.Count ?? 0;
    }

    public void Reset(long mapEndOffset)
    {
        _producers = [];
        _pending?.Clear();
        MapEndOffset = mapEndOffset;
    }

    private static bool InSequence(int last, int next) => next == (last == int.MaxValue ? 0 : last + 1);

    private static int IncrementSequence(int seq, int delta) => seq > int.MaxValue - delta ? delta - (int.MaxValue - seq) - 1 : seq + delta;

    // ---- snapshots ----

    /// <summary>
    /// Writes <c>&lt;MapEndOffset&gt;.snapshot</c>. At a roll it is written without fsync (the background
    /// flush calls <see cref="SyncSnapshots"/>); a torn one fails its CRC at load and an older one is used.
    /// </summary>
    public void TakeSnapshot(bool fsync = true)
    {
        var bytes = new byte[HeaderSize + _producers.Count * EntrySize];
        BinaryPrimitives.WriteInt16BigEndian(bytes, SnapshotVersion);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(6), _producers.Count);
        int p = HeaderSize;
        foreach (ProducerStateEntry e in _producers.Values)
        {
            BatchMetadata last = e.Last ?? new BatchMetadata(-1, -1, -1, -1, e.LastTimestamp);
            Span<byte> s = bytes.AsSpan(p, EntrySize);
            BinaryPrimitives.WriteInt64BigEndian(s, e.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(s[8..], e.Epoch);
            BinaryPrimitives.WriteInt32BigEndian(s[10..], last.LastSeq);
            BinaryPrimitives.WriteInt64BigEndian(s[14..], last.LastOffset);
            BinaryPrimitives.WriteInt32BigEndian(s[22..], (int)(last.LastOffset - last.FirstOffset));
            BinaryPrimitives.WriteInt64BigEndian(s[26..], last.Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(s[34..], e.CoordinatorEpoch);
            BinaryPrimitives.WriteInt64BigEndian(s[38..], e.CurrentTxnFirstOffset);
            p += EntrySize;
        }
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), Crc32C.Compute(bytes.AsSpan(6)));
        Files.AtomicFile.WriteAllBytes(LogFileNames.SnapshotFile(_dir, MapEndOffset), bytes, fsync);
    }

    /// <summary>
    /// fsyncs the snapshot files with offsets in (<paramref name="above"/>, <paramref name="upTo"/>].
    /// Touches only files, so it may run without the partition lock; a snapshot deleted meanwhile
    /// (retention, truncation, the partition deleted) is skipped.
    /// </summary>
    public void SyncSnapshots(long above, long upTo)
    {
        List<long> offsets;
        try
        {
            offsets = ListSnapshots();
        }
        catch (DirectoryNotFoundException)
        {
            return;
        }
        foreach (long o in offsets)
        {
            if (o <= above || o > upTo)
            {
                continue;
            }
            Files.AtomicFile.FlushToDisk(LogFileNames.SnapshotFile(_dir, o));
        }
    }

    /// <summary>Snapshot offsets in the directory, ascending.</summary>
    public List<long> ListSnapshots()
    {
        var offsets = new List<long>();
        foreach (string f in Directory.EnumerateFiles(_dir, "*" + LogFileNames.SnapshotSuffix))
        {
            if (LogFileNames.TryParseOffset(Path.GetFileName(f), LogFileNames.SnapshotSuffix, out long o))
            {
                offsets.Add(o);
            }
        }
        offsets.Sort();
        return offsets;
    }

    /// <summary>
    /// Loads the newest valid snapshot at or below <paramref name="maxOffset"/> (deleting newer and
    /// unreadable ones); returns its offset, or -1 when there is none.
    /// </summary>
    public long LoadLatestSnapshot(long maxOffset)
    {
        List<long> offsets = ListSnapshots();
        for (int i = offsets.Count - 1; i >= 0; i--)
        {
            string path = LogFileNames.SnapshotFile(_dir, offsets[i]);
            if (offsets[i] > maxOffset || !TryRead(path, out Dictionary<long, ProducerStateEntry>? producers))
            {
                File.Delete(path);
                continue;
            }
            _producers = producers;
            MapEndOffset = offsets[i];
            return offsets[i];
        }
        Reset(0);
        return -1;
    }

    /// <summary>Keeps the two newest snapshots and none below the log start offset (the one at it stays).</summary>
    public void DeleteOldSnapshots(long logStartOffset)
    {
        List<long> offsets = ListSnapshots();
        for (int i = 0; i < offsets.Count - 2; i++)
        {
            File.Delete(LogFileNames.SnapshotFile(_dir, offsets[i]));
        }
        foreach (long o in offsets)
        {
            if (o < logStartOffset)
            {
                File.Delete(LogFileNames.SnapshotFile(_dir, o));
            }
        }
    }

    /// <summary>Removes snapshots above an offset (after a truncation).</summary>
    public void DeleteSnapshotsAfter(long offset)
    {
        foreach (long o in ListSnapshots())
        {
            if (o > offset)
            {
                File.Delete(LogFileNames.SnapshotFile(_dir, o));
            }
        }
    }

    private static bool TryRead(string path, out Dictionary<long, ProducerStateEntry> producers)
    {
        producers = [];
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return false;
        }
        if (bytes.Length < HeaderSize || BinaryPrimitives.ReadInt16BigEndian(bytes) != SnapshotVersion
            || BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(2)) != Crc32C.Compute(bytes.AsSpan(6)))
        {
            return false;
        }
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(6));
        if (count < 0 || bytes.Length != HeaderSize + (long)count * EntrySize)
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> s = bytes.AsSpan(HeaderSize + i * EntrySize, EntrySize);
            long pid = BinaryPrimitives.ReadInt64BigEndian(s);
            int lastSeq = BinaryPrimitives.ReadInt32BigEndian(s[10..]);
            long lastOffset = BinaryPrimitives.ReadInt64BigEndian(s[14..]);
            int delta = BinaryPrimitives.ReadInt32BigEndian(s[22..]);
            long ts = BinaryPrimitives.ReadInt64BigEndian(s[26..]);
            var e = new ProducerStateEntry(pid)
            {
                Epoch = BinaryPrimitives.ReadInt16BigEndian(s[8..]),
                CoordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(s[34..]),
                CurrentTxnFirstOffset = BinaryPrimitives.ReadInt64BigEndian(s[38..]),
                LastTimestamp = ts,
            };
            if (lastOffset >= 0)
            {
                e.AddBatch(new BatchMetadata(lastSeq - delta, lastSeq, lastOffset - delta, lastOffset, ts));
            }
            producers[pid] = e;
        }
        return true;
    }
}
