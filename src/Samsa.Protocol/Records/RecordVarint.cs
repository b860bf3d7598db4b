namespace Samsa.Protocol.Records;

/// <summary>
/// The zig-zag varints inside records, over <see cref="Varint"/> with a cursor, and with its
/// errors reported as what they mean here: a corrupt record.
/// </summary>
internal static class RecordVarint
{
    public static int Read(ReadOnlySpan<byte> source, ref int position)
    {
        try
        {
            int value = Varint.ReadInt32(source[position..], out int read);
            position += read;
            return value;
        }
        catch (InsufficientDataException e)
        {
            throw new CorruptRecordException("record ends inside a varint", e);
        }
        catch (InvalidVarintException e)
        {
            throw new CorruptRecordException("varint longer than 5 bytes in a record", e);
        }
    }

    public static long ReadLong(ReadOnlySpan<byte> source, ref int position)
    {
        try
        {
            long value = Varint.ReadInt64(source[position..], out int read);
            position += read;
            return value;
        }
        catch (InsufficientDataException e)
        {
            throw new CorruptRecordException("record ends inside a varlong", e);
        }
        catch (InvalidVarintException e)
        {
            throw new CorruptRecordException("varlong longer than 10 bytes in a record", e);
        }
    }

    public static int Size(int value) => Varint.SizeOfInt32(value);

    public static int SizeLong(long value) => Varint.SizeOfInt64(value);

    /// <summary>Writes at <paramref name="position"/> and advances it; the caller sized the span.</summary>
    public static void Write(Span<byte> destination, ref int position, int value) =>
        position += Varint.WriteInt32(destination[position..], value);

    public static void WriteLong(Span<byte> destination, ref int position, long value) =>
        position += Varint.WriteInt64(destination[position..], value);
}
