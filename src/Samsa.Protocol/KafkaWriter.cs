using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Samsa.Protocol;

/// <summary>
/// Appends Kafka primitives to an <see cref="IBufferWriter{T}"/>. It keeps the span it was last
/// given and advances the output only when that span is full or on <see cref="Flush"/>, so call
/// <see cref="Flush"/> before using the output directly.
/// </summary>
public ref struct KafkaWriter
{
    private const int MinimumChunk = 256;

    /// <summary>
    /// Records fields at least this large go to an <see cref="ISegmentedBufferWriter"/> output by
    /// reference. Below it a copy costs less than the segment does: its own iovec entry, a pinned
    /// handle, and the output's buffer split in two around it (a 4 KiB copy is a few hundred
    /// nanoseconds); small batches also keep a request's send a single buffer.
    /// </summary>
    public const int MinimumSegmentSize = 4096;
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _position;

    public KafkaWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = default;
        _position = 0;
    }

    /// <summary>Commits what was written to the output.</summary>
    public void Flush()
    {
        if (_position > 0)
            _output.Advance(_position);
        _position = 0;
        _span = default;
    }

    private Span<byte> Reserve(int count)
    {
        if (_span.Length - _position < count)
        {
            Flush();
            _span = _output.GetSpan(Math.Max(count, MinimumChunk));
        }
        var result = _span.Slice(_position, count);
        _position += count;
        return result;
    }

    public void WriteRaw(ReadOnlySpan<byte> data)
    {
        if (_span.Length - _position >= data.Length)
        {
            data.CopyTo(_span[_position..]);
            _position += data.Length;
            return;
        }
        Flush();
        _output.Write(data);
    }

    public void WriteBool(bool value) => Reserve(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt8(sbyte value) => Reserve(1)[0] = (byte)value;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Reserve(8), value);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Reserve(16), bigEndian: true, out _);

    public void WriteUnsignedVarint(uint value)
    {
        if (value < 0x80)
        {
            Reserve(1)[0] = (byte)value;
            return;
        }
        Varint.WriteUnsigned(Reserve(Varint.SizeOfUnsigned(value)), value);
    }

    public void WriteVarint(int value) => WriteUnsignedVarint(Varint.ZigZag(value));

    public void WriteVarlong(long value)
    {
        ulong zigzag = Varint.ZigZag(value);
        Varint.WriteUnsigned64(Reserve(Varint.SizeOfUnsigned64(zigzag)), zigzag);
    }

    /// <summary>A length prefix; -1 means null.</summary>
    private void WriteLength(int length, bool compact, bool wide)
    {
        if (compact)
            WriteUnsignedVarint((uint)(length + 1));
        else if (wide)
            WriteInt32(length);
        else
            WriteInt16((short)length);
    }

    public void WriteString(string? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, wide: false);
            return;
        }
        int length = Encoding.UTF8.GetByteCount(value);
        if (!compact && length > short.MaxValue)
            throw new InvalidLengthException($"String of {length} bytes does not fit an int16 length.");
        WriteLength(length, compact, wide: false);
        if (length > 0)
            Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    public void WriteBytes(byte[]? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, wide: true);
            return;
        }
        WriteLength(value.Length, compact, wide: true);
        WriteRaw(value);
    }

    public void WriteRecords(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is not { } records)
        {
            WriteLength(-1, compact, wide: true);
            return;
        }
        WriteLength(records.Length, compact, wide: true);
        if (records.Length >= MinimumSegmentSize && _output is ISegmentedBufferWriter segmented)
        {
            // What this writer holds goes to the output first, so the segment follows it.
            Flush();
            segmented.AppendSegment(records);
            return;
        }
        WriteRaw(records.Span);
    }

    /// <summary>An array's element count; -1 means null.</summary>
    public void WriteArrayLength(int count, bool compact) => WriteLength(count, compact, wide: true);

    /// <summary>Tag and size of a tagged field whose data follows.</summary>
    public void WriteTaggedFieldHeader(int tag, int size)
    {
        WriteUnsignedVarint((uint)tag);
        WriteUnsignedVarint((uint)size);
    }

    public void WriteRawTaggedField(RawTaggedField field)
    {
        WriteTaggedFieldHeader(field.Tag, field.Data.Length);
        WriteRaw(field.Data);
    }
}
