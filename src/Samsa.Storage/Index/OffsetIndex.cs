using System.Buffers.Binary;

namespace Samsa.Storage;

/// <summary>
/// The sparse offset index of one segment (<c>&lt;baseOffset&gt;.index</c>).
/// <para>On disk: back-to-back 8-byte entries, big-endian int32 offset relative to the segment's base
/// offset, then int32 position of a batch in the <c>.log</c>; offsets and positions strictly increase.
/// As in Kafka, an entry names a batch's last offset and that batch's start position. The file holds
/// exactly the entries (no preallocation, nothing to trim).</para>
/// </summary>
internal sealed class OffsetIndex(string path, long baseOffset, int maxEntries)
    : SegmentIndex(path, baseOffset, maxEntries, EntrySize)
{
    public const int EntrySize = 8;

    public long LastOffset
    {
        get
        {
            int n = Count;
            return n == 0 ? BaseOffset : BaseOffset + At(n - 1).Key;
        }
    }

    public (long Offset, int Position) Entry(int i)
    {
        IndexEntry e = At(i);
        return (BaseOffset + e.Key, e.Value);
    }

    public void Append(long offset, int position)
    {
        if (Count >= MaxEntries)
        {
            throw new InvalidOperationException($"offset index {Path} is full ({Count} entries)");
        }
        long rel = offset - BaseOffset;
        if (TryLast(out IndexEntry last) && rel <= last.Key)
        {
            return; // never out of order: an equal offset already points at or before this batch
        }
        Add(rel, position);
    }

    /// <summary>The entry with the largest offset at or below <paramref name="target"/>, or (base, 0).</summary>
    public (long Offset, int Position) Lookup(long target)
    {
        int i = Floor(target - BaseOffset);
        return i < 0 ? (BaseOffset, 0) : Entry(i);
    }

    /// <summary>Drops entries whose offset is at or above <paramref name="offset"/>, or whose position is at or past <paramref name="position"/>.</summary>
    public void TruncateTo(long offset, long position) =>
        TruncateWhile((Rel: offset - BaseOffset, Position: position), static (cut, e) => e.Key >= cut.Rel || e.Value >= cut.Position);

    protected override IndexEntry Decode(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadInt32BigEndian(bytes), BinaryPrimitives.ReadInt32BigEndian(bytes[4..]));

    protected override void Encode(Span<byte> destination, IndexEntry entry)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, (int)entry.Key);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], entry.Value);
    }

    /// <summary><paramref name="bound"/> is the size of the segment's log file.</summary>
    protected override bool IsWithin(IndexEntry entry, long bound) => entry.Key >= 0 && entry.Value < bound;
}
