using Samsa.Protocol.Records;

namespace Samsa.Storage;

/// <summary>
/// Walks the records of an uncompressed magic-2 batch without materialising them: only each record's
/// length, timestamp delta and offset delta are read. Used to validate timestamps and counts on
/// append and to find the exact record for a timestamp lookup.
/// </summary>
internal static class RecordWalker
{
    /// <summary>Checks framing, count and offset deltas; reports the smallest and largest record timestamps.</summary>
    public static string? Validate(ReadOnlySpan<byte> batch, out long minTimestamp, out long maxTimestamp)
    {
        var h = new RecordBatchHeader(batch);
        long baseTs = h.BaseTimestamp;
        int count = h.RecordCount;
        minTimestamp = long.MaxValue;
        maxTimestamp = long.MinValue;
        int pos = RecordBatchLayout.RecordsOffset;
        for (int i = 0; i < count; i++)
        {
            if (!TryReadRecord(batch, ref pos, out long tsDelta, out int offsetDelta))
            {
                return $"record {i} of {count} is malformed or truncated";
            }
            if (offsetDelta != i)
            {
                return $"record {i} has offset delta {offsetDelta}";
            }
            long ts = baseTs + tsDelta;
            minTimestamp = Math.Min(minTimestamp, ts);
            maxTimestamp = Math.Max(maxTimestamp, ts);
        }
        if (pos != batch.Length)
        {
            return $"{batch.Length - pos} bytes follow the {count} records the batch declares";
        }
        return null;
    }

    /// <summary>
    /// The first record at or after <paramref name="minOffset"/> whose timestamp is at least
    /// <paramref name="timestamp"/> (or equal to it when <paramref name="exact"/>).
    /// </summary>
    public static bool TryFind(ReadOnlySpan<byte> batch, long timestamp, long minOffset, bool exact, out long offset, out long recordTimestamp)
    {
        var h = new RecordBatchHeader(batch);
        long baseTs = h.BaseTimestamp;
        int pos = RecordBatchLayout.RecordsOffset;
        for (int i = 0; i < h.RecordCount; i++)
        {
            if (!TryReadRecord(batch, ref pos, out long tsDelta, out int offsetDelta))
            {
                break;
            }
            long ts = baseTs + tsDelta;
            long off = h.BaseOffset + offsetDelta;
            if (off >= minOffset && (exact ? ts == timestamp : ts >= timestamp))
            {
                offset = off;
                recordTimestamp = ts;
                return true;
            }
        }
        offset = -1;
        recordTimestamp = -1;
        return false;
    }

    private static bool TryReadRecord(ReadOnlySpan<byte> batch, ref int pos, out long tsDelta, out int offsetDelta)
    {
        tsDelta = 0;
        offsetDelta = 0;
        if (!TryReadVarLong(batch, ref pos, out long length) || length < 1 || length > batch.Length - pos)
        {
            return false;
        }
        int end = pos + (int)length;
        ReadOnlySpan<byte> record = batch[..end];
        int p = pos + 1; // attributes
        if (!TryReadVarLong(record, ref p, out tsDelta) || !TryReadVarLong(record, ref p, out long od) || od is < int.MinValue or > int.MaxValue)
        {
            return false;
        }
        offsetDelta = (int)od;
        pos = end;
        return true;
    }

    /// <summary>Zig-zag varint of up to 64 bits.</summary>
    private static bool TryReadVarLong(ReadOnlySpan<byte> s, ref int pos, out long value)
    {
        ulong raw = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (pos >= s.Length)
            {
                value = 0;
                return false;
            }
            byte b = s[pos++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }
        }
        value = 0;
        return false;
    }
}
