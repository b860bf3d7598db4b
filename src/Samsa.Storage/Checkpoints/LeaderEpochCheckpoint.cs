using System.Globalization;
using System.Text;
using Samsa.Storage.Files;

namespace Samsa.Storage.Checkpoints;

/// <summary>An epoch and the first offset written under it.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);

/// <summary>
/// The partition's leader epoch history (<c>leader-epoch-checkpoint</c>), used to answer
/// OffsetForLeaderEpoch and to truncate diverging followers. Text file: version line (0), count line,
/// then <c>epoch startOffset</c> lines in increasing order. Rewritten atomically on every change
/// (changes are rare: a new leader, a truncation, retention), without an fsync: the first append of
/// a new epoch runs on a request thread. <see cref="Sync"/> makes it durable and runs before the
/// partition's recovery point moves, so every epoch starting below the recovery point is on disk;
/// the ones after it are rebuilt from the batches recovery scans (as Kafka's segment recovery does).
/// Thread-safety: mutated under the partition lock; readers get a copied array.
/// </summary>
internal sealed class LeaderEpochCheckpoint
{
    private readonly string _path;
    private volatile EpochEntry[] _entries = [];
    private bool _unsynced;

    public LeaderEpochCheckpoint(string dir)
    {
        _path = Path.Combine(dir, LogFileNames.LeaderEpochCheckpoint);
    }

    public IReadOnlyList<EpochEntry> Entries => _entries;
    public int LatestEpoch => _entries.Length == 0 ? -1 : _entries[^1].Epoch;

    /// <summary>True while the file on disk may be older than <see cref="Entries"/> (written without fsync).</summary>
    public bool NeedsSync => _unsynced;

    /// <summary>
    /// Reads the file. False when it is missing, or short or malformed (a crash right after an
    /// unsynced rewrite): the history must then be rebuilt from the log's batches.
    /// </summary>
    public bool Load()
    {
        if (!File.Exists(_path))
        {
            return false;
        }
        string[] lines = File.ReadAllLines(_path);
        if (lines.Length < 2 || lines[0].Trim() != "0" || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || lines.Length < 2 + n)
        {
            return false;
        }
        var list = new List<EpochEntry>(n);
        for (int i = 0; i < n; i++)
        {
            string[] parts = lines[2 + i].Split(' ');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int e)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long o))
            {
                return false;
            }
            list.Add(new EpochEntry(e, o));
        }
        _entries = [.. list];
        return true;
    }

    /// <summary>Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/> if it is newer than the latest.</summary>
    public void Assign(int epoch, long startOffset)
    {
        if (epoch < 0 || epoch <= LatestEpoch)
        {
            return;
        }
        var list = new List<EpochEntry>(_entries);
        // An older epoch that never received a record is superseded.
        while (list.Count > 0 && list[^1].StartOffset >= startOffset)
        {
            list.RemoveAt(list.Count - 1);
        }
        list.Add(new EpochEntry(epoch, startOffset));
        Save(list);
    }

    /// <summary>Drops epochs starting at or after <paramref name="endOffset"/> (log truncated there).</summary>
    public void TruncateFromEnd(long endOffset)
    {
        var list = new List<EpochEntry>(_entries);
        int before = list.Count;
        list.RemoveAll(e => e.StartOffset >= endOffset);
        if (list.Count != before)
        {
            Save(list);
        }
    }

    /// <summary>The log now starts at <paramref name="startOffset"/>: older epochs go, the one covering it is moved up.</summary>
    public void TruncateFromStart(long startOffset)
    {
        var list = new List<EpochEntry>(_entries);
        int keepFrom = -1;
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].StartOffset <= startOffset)
            {
                keepFrom = i;
            }
        }
        if (keepFrom < 0 || (keepFrom == 0 && list[0].StartOffset == startOffset))
        {
            return;
        }
        list.RemoveRange(0, keepFrom);
        list[0] = list[0] with { StartOffset = startOffset };
        Save(list);
    }

    /// <summary>
    /// OffsetForLeaderEpoch: the largest epoch at or below <paramref name="epoch"/> and the offset where
    /// the next epoch starts (or the log end offset); (-1, -1) when unknown.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int epoch, long logEndOffset)
    {
        EpochEntry[] entries = _entries;
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            if (entries[i].Epoch <= epoch)
            {
                return (entries[i].Epoch, i == entries.Length - 1 ? logEndOffset : entries[i + 1].StartOffset);
            }
        }
        return (-1, -1);
    }

    public void Clear() => Save([]);

    /// <summary>fsyncs the history if a change since the last sync was written without one.</summary>
    public void Sync()
    {
        if (_unsynced)
        {
            AtomicFile.FlushToDisk(_path);
            _unsynced = false;
        }
    }

    private void Save(List<EpochEntry> list)
    {
        var sb = new StringBuilder("0\n").Append(list.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (EpochEntry e in list)
        {
            sb.Append(e.Epoch.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(e.StartOffset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        AtomicFile.WriteAllText(_path, sb.ToString(), fsync: false);
        _unsynced = true;
        _entries = [.. list];
    }
}
