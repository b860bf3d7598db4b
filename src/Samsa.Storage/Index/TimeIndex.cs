using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Samsa.Storage;

/// <summary>
/// The time index of one segment (<c>&lt;baseOffset&gt;.timeindex</c>).
/// <para>On disk: back-to-back 12-byte entries, big-endian int64 timestamp then int32 offset relative
/// to the segment's base offset. An entry (T, O) says the largest timestamp of the batches up to the
/// one ending at offset O is T; both strictly increase. Exactly the entries, no preallocation.</para>
/// <para>Thread-safety: one writer, concurrent readers (entry written before the count).</para>
/// </summary>
internal sealed class TimeIndex
{
    public const int EntrySize = 12;

    private long[] _timestamps = [];
    private int[] _offsets = [];
    private int _count;
    private int _persisted;
    private bool _rewrite;

    public TimeIndex(string path, long baseOffset, int maxEntries)
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

    /// <summary>The last entry, or (-1, base offset) when empty.</summary>
    public (long Timestamp, long Offset) LastEntry
    {
        get
        {
            int n = Count;
            return n == 0 ? (-1, BaseOffset) : (Volatile.Read(ref _timestamps)[n - 1], BaseOffset + Volatile.Read(ref _offsets)[n - 1]);
        }
    }

    /// <summary>Adds (timestamp, offset) if the timestamp is larger than the last entry's.</summary>
    public void MaybeAppend(long timestamp, long offset)
    {
        int n = _count;
        if (n > 0 && (timestamp <= _timestamps[n - 1] || offset - BaseOffset <= _offsets[n - 1]))
        {
            return;
        }
        if (n >= MaxEntries)
        {
            return;
        }
        if (n == _timestamps.Length)
        {
            int size = Math.Min(Math.Max(16, n * 2), MaxEntries);
            var ts = new long[size];
            var offs = new int[size];
            Array.Copy(_timestamps, ts, n);
            Array.Copy(_offsets, offs, n);
            // Offsets first: a reader taking the new timestamps array must find matching offsets.
            Volatile.Write(ref _offsets, offs);
            Volatile.Write(ref _timestamps, ts);
        }
        _timestamps[n] = timestamp;
        _offsets[n] = (int)(offset - BaseOffset);
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>The offset of the entry with the largest timestamp at or below <paramref name="timestamp"/>, or the base offset.</summary>
    public long Lookup(long timestamp)
    {
        int n = Count;
        long[] ts = Volatile.Read(ref _timestamps);
        int[] offs = Volatile.Read(ref _offsets);
        int lo = 0, hi = n - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] <= timestamp)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found < 0 ? BaseOffset : BaseOffset + offs[found];
    }

    public void TruncateTo(long offset)
    {
        int n = _count;
        while (n > 0 && BaseOffset + _offsets[n - 1] >= offset)
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

    public bool TryLoad(long lastOffsetInLog)
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
        var ts = new long[n];
        var offs = new int[n];
        long prevTs = long.MinValue;
        int prevOff = -1;
        for (int i = 0; i < n; i++)
        {
            long t = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * EntrySize));
            int o = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 8));
            if (t <= prevTs || o <= prevOff || BaseOffset + o > lastOffsetInLog)
            {
                return false;
            }
            prevTs = t;
            prevOff = o;
            ts[i] = t;
            offs[i] = o;
        }
        Volatile.Write(ref _offsets, offs);
        Volatile.Write(ref _timestamps, ts);
        Volatile.Write(ref _count, n);
        _persisted = n;
        _rewrite = false;
        return true;
    }

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
            BinaryPrimitives.WriteInt64BigEndian(buf.AsSpan((i - from) * EntrySize), _timestamps[i]);
            BinaryPrimitives.WriteInt32BigEndian(buf.AsSpan((i - from) * EntrySize + 8), _offsets[i]);
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
