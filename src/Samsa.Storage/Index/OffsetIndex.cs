using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Samsa.Storage;

/// <summary>
/// The sparse offset index of one segment (<c>&lt;baseOffset&gt;.index</c>).
/// <para>On disk: back-to-back 8-byte entries, big-endian int32 offset relative to the segment's base
/// offset, then int32 position of a batch in the <c>.log</c>; offsets and positions strictly increase.
/// As in Kafka, an entry names a batch's last offset and that batch's start position. The file holds
/// exactly the entries (no preallocation, nothing to trim).</para>
/// <para>In memory the entries are one packed <c>long</c> each, loaded lazily by the segment.
/// Thread-safety: one writer (the partition's append lock) and any number of concurrent readers;
/// an entry is written before the count that publishes it.</para>
/// </summary>
internal sealed class OffsetIndex
{
    public const int EntrySize = 8;

    private long[] _entries = [];
    private int _count;
    private int _persisted;
    private bool _rewrite;

    public OffsetIndex(string path, long baseOffset, int maxEntries)
    {
        Path = path;
        BaseOffset = baseOffset;
        MaxEntries = maxEntries;
    }

    public string Path { get; private set; }
    public long BaseOffset { get; }
    public int MaxEntries { get; }
    public int Count => Volatile.Read(ref _count);
    public bool IsFull => Count >= MaxEntries;

    public long LastOffset
    {
        get
        {
            int n = Count;
            return n == 0 ? BaseOffset : BaseOffset + (int)(Volatile.Read(ref _entries)[n - 1] >> 32);
        }
    }

    public (long Offset, int Position) Entry(int i)
    {
        long e = Volatile.Read(ref _entries)[i];
        return (BaseOffset + (int)(e >> 32), (int)e);
    }

    public void Append(long offset, int position)
    {
        int n = _count;
        if (n >= MaxEntries)
        {
            throw new InvalidOperationException($"offset index {Path} is full ({n} entries)");
        }
        long rel = offset - BaseOffset;
        if (n > 0 && rel <= (int)(_entries[n - 1] >> 32))
        {
            return; // never out of order: an equal offset already points at or before this batch
        }
        if (n == _entries.Length)
        {
            var grown = new long[Math.Min(Math.Max(16, n * 2), MaxEntries)];
            Array.Copy(_entries, grown, n);
            Volatile.Write(ref _entries, grown);
        }
        _entries[n] = (rel << 32) | (uint)position;
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>The entry with the largest offset at or below <paramref name="target"/>, or (base, 0).</summary>
    public (long Offset, int Position) Lookup(long target)
    {
        int n = Count;
        long[] entries = Volatile.Read(ref _entries);
        long rel = target - BaseOffset;
        int lo = 0, hi = n - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if ((entries[mid] >> 32) <= rel)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found < 0 ? (BaseOffset, 0) : (BaseOffset + (int)(entries[found] >> 32), (int)entries[found]);
    }

    /// <summary>Drops entries whose offset is at or above <paramref name="offset"/>, or whose position is at or past <paramref name="position"/>.</summary>
    public void TruncateTo(long offset, long position)
    {
        int n = _count;
        while (n > 0 && (BaseOffset + (int)(_entries[n - 1] >> 32) >= offset || (int)_entries[n - 1] >= position))
        {
            n--;
        }
        if (n < _count)
        {
            Volatile.Write(ref _count, n);
            if (n < _persisted)
            {
                _persisted = n;
                _rewrite = true;
            }
        }
    }

    public void Reset()
    {
        Volatile.Write(ref _count, 0);
        _persisted = 0;
        _rewrite = true;
    }

    /// <summary>Loads the file; false when it is missing or fails the sanity checks (then it must be rebuilt).</summary>
    public bool TryLoad(long logSize)
    {
        if (!File.Exists(Path))
        {
            return false;
        }
        byte[] bytes = File.ReadAllBytes(Path);
        if (bytes.Length % EntrySize != 0 || bytes.Length / EntrySize > MaxEntries)
        {
            return false;
        }
        int n = bytes.Length / EntrySize;
        var entries = new long[n];
        long prevRel = -1, prevPos = -1;
        for (int i = 0; i < n; i++)
        {
            int rel = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize));
            int pos = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 4));
            if (rel <= prevRel || pos <= prevPos || pos >= logSize)
            {
                return false;
            }
            prevRel = rel;
            prevPos = pos;
            entries[i] = ((long)rel << 32) | (uint)pos;
        }
        Volatile.Write(ref _entries, entries);
        Volatile.Write(ref _count, n);
        _persisted = n;
        _rewrite = false;
        return true;
    }

    /// <summary>Writes the entries not yet on disk (or the whole file after a truncation).</summary>
    public void Persist(bool fsync)
    {
        int n = _count;
        if (!_rewrite && n == _persisted && File.Exists(Path))
        {
            return;
        }
        int from = _rewrite ? 0 : _persisted;
        byte[] buf = new byte[(n - from) * EntrySize];
        for (int i = from; i < n; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan((i - from) * EntrySize), (int)(_entries[i] >> 32));
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan((i - from) * EntrySize + 4), (int)_entries[i]);
        }
        using SafeFileHandle h = File.OpenHandle(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.Write(h, buf, (long)from * EntrySize);
        RandomAccess.SetLength(h, (long)n * EntrySize);
        if (fsync)
        {
            RandomAccess.FlushToDisk(h);
        }
        _persisted = n;
        _rewrite = false;
    }

    public void Rename(string newPath)
    {
        if (File.Exists(Path))
        {
            File.Move(Path, newPath, overwrite: true);
        }
        Path = newPath;
    }
}
