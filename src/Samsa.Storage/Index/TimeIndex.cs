using System.Buffers.Binary;

namespace Samsa.Storage;

/// <summary>
/// The time index of one segment (<c>&lt;baseOffset&gt;.timeindex</c>).
/// <para>On disk: back-to-back 12-byte entries, big-endian int64 timestamp then int32 offset relative
/// to the segment's base offset. An entry (T, O) says the largest timestamp of the batches up to the
/// one ending at offset O is T; both strictly increase. Exactly the entries, no preallocation.</para>
/// </summary>
internal sealed class TimeIndex(string path, long baseOffset, int maxEntries)
    : SegmentIndex(path, baseOffset, maxEntries, EntrySize)
{
    public const int EntrySize = 12;

    /// <summary>The last entry, or (-1, base offset) when empty.</summary>
    public (long Timestamp, long Offset) LastEntry
    {
        get
        {
            int n = Count;
            if (n == 0)
            {
                return (-1, BaseOffset);
            }
            IndexEntry e = At(n - 1);
            return (e.Key, BaseOffset + e.Value);
        }
    }

    /// <summary>Adds (timestamp, offset) if the timestamp is larger than the last entry's.</summary>
    public void MaybeAppend(long timestamp, long offset)
    {
        if (TryLast(out IndexEntry last) && (timestamp <= last.Key || offset - BaseOffset <= last.Value))
        {
            return;
        }
        if (Count < MaxEntries)
        {
            Add(timestamp, (int)(offset - BaseOffset));
        }
    }

    /// <summary>The offset of the entry with the largest timestamp at or below <paramref name="timestamp"/>, or the base offset.</summary>
    public long Lookup(long timestamp)
    {
        int i = Floor(timestamp);
        return i < 0 ? BaseOffset : BaseOffset + At(i).Value;
    }

    public void TruncateTo(long offset) =>
        TruncateWhile(offset - BaseOffset, static (rel, e) => e.Value >= rel);

    protected override IndexEntry Decode(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt32BigEndian(bytes[8..]));

    protected override void Encode(Span<byte> destination, IndexEntry entry)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, entry.Key);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], entry.Value);
    }

    /// <summary><paramref name="bound"/> is the last offset in the log.</summary>
    protected override bool IsWithin(IndexEntry entry, long bound) => BaseOffset + entry.Value <= bound;
}
