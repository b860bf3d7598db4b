using Microsoft.Win32.SafeHandles;

namespace Samsa.Storage;

/// <summary>
/// What the offset and time indexes of a segment share: a file of fixed-size entries whose key and
/// value both strictly increase, held in memory as (key, value) pairs and written back incrementally.
/// <para>Thread-safety: one writer (the partition's append lock) and any number of concurrent readers.
/// An entry is stored before the count that publishes it, and a grown array is published before the
/// count, so a reader that reads the count first sees only complete entries. Persisting, truncation,
/// renaming and retirement take a small gate of their own, because a rolled segment's indexes are
/// written by the background flush while the partition lock is not held.</para>
/// </summary>
internal abstract class SegmentIndex
{
    private IndexEntry[] _entries = [];
    private int _count;
    private readonly Lock _fileGate = new();
    private int _persisted;
    private bool _rewrite;
    private bool _retired;

    protected SegmentIndex(string path, long baseOffset, int maxEntries, int entrySize)
    {
        Path = path;
        BaseOffset = baseOffset;
        MaxEntries = maxEntries;
        _entrySize = entrySize;
    }

    private readonly int _entrySize;

    public string Path { get; private set; }
    public long BaseOffset { get; }
    public int MaxEntries { get; }
    public int Count => Volatile.Read(ref _count);
    public bool IsFull => Count >= MaxEntries;

    protected IndexEntry At(int i) => Volatile.Read(ref _entries)[i];

    /// <summary>The last entry as the writer sees it; only for the writer.</summary>
    protected bool TryLast(out IndexEntry last)
    {
        int n = _count;
        last = n == 0 ? default : _entries[n - 1];
        return n > 0;
    }

    /// <summary>Appends an entry the caller has checked to be in order and within <see cref="MaxEntries"/>.</summary>
    protected void Add(long key, int value)
    {
        int n = _count;
        if (n == _entries.Length)
        {
            var grown = new IndexEntry[Math.Min(Math.Max(16, n * 2), MaxEntries)];
            Array.Copy(_entries, grown, n);
            Volatile.Write(ref _entries, grown);
        }
        _entries[n] = new IndexEntry(key, value);
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>The position of the entry with the largest key at or below <paramref name="key"/>, or -1.</summary>
    protected int Floor(long key)
    {
        int n = Count;
        IndexEntry[] entries = Volatile.Read(ref _entries);
        int lo = 0, hi = n - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (entries[mid].Key <= key)
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

    /// <summary>Drops trailing entries while <paramref name="drop"/> holds for them.</summary>
    protected void TruncateWhile<TState>(TState state, Func<TState, IndexEntry, bool> drop)
    {
        lock (_fileGate)
        {
            int n = _count;
            while (n > 0 && drop(state, _entries[n - 1]))
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
    }

    public void Reset()
    {
        lock (_fileGate)
        {
            Volatile.Write(ref _count, 0);
            _persisted = 0;
            _rewrite = true;
        }
    }

    protected abstract IndexEntry Decode(ReadOnlySpan<byte> bytes);

    protected abstract void Encode(Span<byte> destination, IndexEntry entry);

    /// <summary>Whether a loaded entry can belong to a segment whose extent is <paramref name="bound"/>.</summary>
    protected abstract bool IsWithin(IndexEntry entry, long bound);

    /// <summary>Loads the file; false when it is missing or fails the sanity checks (then it must be rebuilt).</summary>
    public bool TryLoad(long bound)
    {
        if (!File.Exists(Path))
        {
            return false;
        }
        byte[] bytes = File.ReadAllBytes(Path);
        if (bytes.Length % _entrySize != 0 || bytes.Length / _entrySize > MaxEntries)
        {
            return false;
        }
        int n = bytes.Length / _entrySize;
        var entries = new IndexEntry[n];
        for (int i = 0; i < n; i++)
        {
            IndexEntry e = Decode(bytes.AsSpan(i * _entrySize, _entrySize));
            if ((i > 0 && (e.Key <= entries[i - 1].Key || e.Value <= entries[i - 1].Value)) || e.Value < 0 || !IsWithin(e, bound))
            {
                return false;
            }
            entries[i] = e;
        }
        lock (_fileGate)
        {
            Volatile.Write(ref _entries, entries);
            Volatile.Write(ref _count, n);
            _persisted = n;
            _rewrite = false;
        }
        return true;
    }

    /// <summary>
    /// Writes the entries not yet on disk (or the whole file after a truncation); nothing once the
    /// index is retired. The fsync runs after the gate is released, on the handle: a rename or a
    /// retirement meanwhile does not wait for the disk.
    /// </summary>
    /// <param name="fsync">fsync the file after writing.</param>
    /// <param name="upTo">write at most this many entries (those that existed before the caller's data fsync).</param>
    public void Persist(bool fsync, int upTo = int.MaxValue)
    {
        SafeFileHandle h;
        lock (_fileGate)
        {
            int n = Math.Min(_count, upTo);
            bool exists = File.Exists(Path);
            if (_retired || (!_rewrite && n <= _persisted && exists))
            {
                return;
            }
            int from = _rewrite || !exists ? 0 : _persisted;
            byte[] buf = new byte[(n - from) * _entrySize];
            IndexEntry[] entries = _entries;
            for (int i = from; i < n; i++)
            {
                Encode(buf.AsSpan((i - from) * _entrySize, _entrySize), entries[i]);
            }
            h = File.OpenHandle(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            try
            {
                RandomAccess.Write(h, buf, (long)from * _entrySize);
                RandomAccess.SetLength(h, (long)n * _entrySize);
            }
            catch
            {
                h.Dispose();
                throw;
            }
            _persisted = n;
            _rewrite = false;
        }
        using (h)
        {
            if (fsync)
            {
                RandomAccess.FlushToDisk(h);
            }
        }
    }

    public void Rename(string newPath)
    {
        lock (_fileGate)
        {
            if (File.Exists(Path))
            {
                File.Move(Path, newPath, overwrite: true);
            }
            Path = newPath;
        }
    }

    /// <summary>The segment is gone (deleted, replaced, its directory moved away): never write the file again.</summary>
    public void Retire()
    {
        lock (_fileGate)
        {
            _retired = true;
        }
    }
}

/// <summary>One index entry: the search key (relative offset or timestamp) and what it points to.</summary>
internal readonly record struct IndexEntry(long Key, int Value);
