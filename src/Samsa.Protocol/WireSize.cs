using System.Text;

namespace Samsa.Protocol;

/// <summary>Encoded sizes of Kafka primitives, matching what <see cref="KafkaWriter"/> writes.</summary>
public static class WireSize
{
    private static int Length(int length, bool compact, bool wide) =>
        compact ? Varint.SizeOfUnsigned((uint)(length + 1)) : wide ? 4 : 2;

    public static int UnsignedVarint(uint value) => Varint.SizeOfUnsigned(value);

    public static int String(string? value, bool compact)
    {
        if (value is null)
            return Length(-1, compact, wide: false);
        int length = Encoding.UTF8.GetByteCount(value);
        return Length(length, compact, wide: false) + length;
    }

    public static int Bytes(byte[]? value, bool compact) =>
        value is null ? Length(-1, compact, wide: true) : Length(value.Length, compact, wide: true) + value.Length;

    public static int Records(ReadOnlyMemory<byte>? value, bool compact) =>
        value is not { } records ? Length(-1, compact, wide: true) : Length(records.Length, compact, wide: true) + records.Length;

    public static int ArrayLength(int count, bool compact) => Length(count, compact, wide: true);

    public static int TaggedField(int tag, int size) =>
        Varint.SizeOfUnsigned((uint)tag) + Varint.SizeOfUnsigned((uint)size) + size;

    public static int RawTaggedField(RawTaggedField field) => TaggedField(field.Tag, field.Data.Length);
}
