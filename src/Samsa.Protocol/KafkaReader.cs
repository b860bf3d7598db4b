using System.Buffers.Binary;
using System.Text;

namespace Samsa.Protocol;

/// <summary>
/// Reads Kafka primitives from a contiguous buffer. Fixed-size reads allocate nothing; every
/// declared length is checked against the bytes left before anything is allocated, so malformed
/// input throws a <see cref="KafkaProtocolException"/> rather than exhausting memory.
/// Records fields are returned as slices of the input (no copy): keep the buffer alive while
/// they are used.
/// </summary>
public ref struct KafkaReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public KafkaReader(ReadOnlyMemory<byte> memory)
    {
        _memory = memory;
        _span = memory.Span;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _span.Length - _position;

    public readonly bool End => _position >= _span.Length;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlyMemory<byte> RemainingMemory => _memory[_position..];

    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_span.Length - _position))
            throw new InsufficientDataException($"Needed {count} bytes at offset {_position}, only {_span.Length - _position} left.");
        var result = _span.Slice(_position, count);
        _position += count;
        return result;
    }

    public void Skip(int count) => Take(count);

    public ReadOnlySpan<byte> ReadRawSpan(int count) => Take(count);

    public ReadOnlyMemory<byte> ReadRawMemory(int count)
    {
        int start = _position;
        Take(count);
        return _memory.Slice(start, count);
    }

    /// <summary>Consumes <paramref name="count"/> bytes and returns a reader over just them.</summary>
    public KafkaReader ReadSubReader(int count) => new(ReadRawMemory(count));

    public bool ReadBool() => Take(1)[0] != 0;

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>A uuid: 16 bytes, most significant first.</summary>
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarint()
    {
        uint value = Varint.ReadUnsigned(_span[_position..], out int read);
        _position += read;
        return value;
    }

    public int ReadVarint()
    {
        int value = Varint.ReadInt32(_span[_position..], out int read);
        _position += read;
        return value;
    }

    public long ReadVarlong()
    {
        long value = Varint.ReadInt64(_span[_position..], out int read);
        _position += read;
        return value;
    }

    /// <summary>Reads a length prefix: int16/int32 (classic) or unsigned varint of length+1 (compact).
    /// Returns -1 for null. A length beyond the bytes left throws.</summary>
    private int ReadLength(bool compact, bool wide)
    {
        int length;
        if (compact)
        {
            uint raw = ReadUnsignedVarint();
            if (raw > int.MaxValue)
                throw new InvalidLengthException($"Compact length {raw} is out of range.");
            length = (int)raw - 1;
        }
        else
        {
            length = wide ? ReadInt32() : ReadInt16();
            if (length < -1)
                throw new InvalidLengthException($"Negative length {length} at offset {_position}.");
        }
        if (length > _span.Length - _position)
            throw new InvalidLengthException($"Length {length} exceeds the {_span.Length - _position} bytes left.");
        return length;
    }

    public string ReadString(bool compact) =>
        ReadNullableString(compact) ?? throw new InvalidLengthException("Non-nullable string was null.");

    public string? ReadNullableString(bool compact)
    {
        int length = ReadLength(compact, wide: false);
        if (length < 0)
            return null;
        return length == 0 ? string.Empty : Encoding.UTF8.GetString(Take(length));
    }

    public byte[] ReadBytes(bool compact) =>
        ReadNullableBytes(compact) ?? throw new InvalidLengthException("Non-nullable bytes were null.");

    public byte[]? ReadNullableBytes(bool compact)
    {
        int length = ReadLength(compact, wide: true);
        if (length < 0)
            return null;
        return length == 0 ? [] : Take(length).ToArray();
    }

    /// <summary>A records field: a slice of the input, or null.</summary>
    public ReadOnlyMemory<byte>? ReadRecords(bool compact)
    {
        int length = ReadLength(compact, wide: true);
        if (length < 0)
            return null;
        return ReadRawMemory(length);
    }

    /// <summary>An array's element count, or -1 for null. A count larger than the bytes left
    /// throws: every element takes at least one byte.</summary>
    public int ReadArrayLength(bool compact) => ReadLength(compact, wide: true);

    /// <summary>A count that must not be null.</summary>
    public int ReadNonNullArrayLength(bool compact)
    {
        int count = ReadLength(compact, wide: true);
        if (count < 0)
            throw new InvalidLengthException("Non-nullable array was null.");
        return count;
    }

    /// <summary>Reads the tag and size of one tagged field and returns a reader over its data.</summary>
    public KafkaReader ReadTaggedField(out int tag)
    {
        uint rawTag = ReadUnsignedVarint();
        if (rawTag > int.MaxValue)
            throw new InvalidLengthException($"Tag {rawTag} is out of range.");
        tag = (int)rawTag;
        uint size = ReadUnsignedVarint();
        if (size > (uint)(_span.Length - _position))
            throw new InvalidLengthException($"Tagged field size {size} exceeds the {_span.Length - _position} bytes left.");
        return ReadSubReader((int)size);
    }

    /// <summary>The number of tagged fields that follow.</summary>
    public int ReadTaggedFieldCount()
    {
        uint count = ReadUnsignedVarint();
        // Each tagged field takes at least two bytes (tag and size).
        if (count > (uint)(_span.Length - _position))
            throw new InvalidLengthException($"Tagged field count {count} exceeds the bytes left.");
        return (int)count;
    }

    /// <summary>Keeps an unknown tagged field's bytes (copied, the input buffer may be reused).</summary>
    public static void AddUnknown(ref List<RawTaggedField>? list, int tag, ref KafkaReader data)
    {
        list ??= [];
        list.Add(new RawTaggedField(tag, data.Take(data.Remaining).ToArray()));
    }
}
