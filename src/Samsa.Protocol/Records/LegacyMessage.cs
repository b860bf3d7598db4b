using System.Buffers.Binary;
using System.IO.Hashing;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// One magic 0 or 1 message (layout in <see cref="LegacyMessageLayout"/>), a view over its bytes.
/// <see cref="Read"/> checks everything a broker checks before storing it: sizes, CRC, magic,
/// lengths that fill the message exactly.
/// </summary>
public readonly ref struct LegacyMessage
{
    internal LegacyMessage(long offset, byte magic, byte attributes, long timestamp,
        ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue, int sizeInBytes)
    {
        Offset = offset;
        Magic = magic;
        Attributes = attributes;
        Timestamp = timestamp;
        Key = key;
        HasKey = hasKey;
        Value = value;
        HasValue = hasValue;
        SizeInBytes = sizeInBytes;
    }

    /// <summary>The offset as written: absolute, or relative inside a magic 1 wrapper (the enumerator resolves it).</summary>
    public long Offset { get; }
    public byte Magic { get; }
    public byte Attributes { get; }
    /// <summary>-1 (Kafka's NO_TIMESTAMP) for magic 0.</summary>
    public long Timestamp { get; }
    public ReadOnlySpan<byte> Key { get; }
    public bool HasKey { get; }
    public ReadOnlySpan<byte> Value { get; }
    public bool HasValue { get; }
    /// <summary>Bytes taken in the set, log overhead included.</summary>
    public int SizeInBytes { get; }

    public CompressionType Compression => (CompressionType)(Attributes & LegacyMessageLayout.CodecMask);
    public TimestampType TimestampType =>
        Magic > LegacyMessageLayout.MagicV0 && (Attributes & LegacyMessageLayout.TimestampTypeMask) != 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime;

    internal LegacyMessage With(long offset, long timestamp) =>
        new(offset, Magic, Attributes, timestamp, Key, HasKey, Value, HasValue, SizeInBytes);

    /// <summary>
    /// Reads the message at the start of <paramref name="buffer"/>. Throws
    /// <see cref="CorruptRecordException"/> for truncation, bad sizes or a CRC mismatch, and
    /// <see cref="InvalidRecordException"/> for a magic other than 0 or 1.
    /// </summary>
    public static LegacyMessage Read(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < LegacyMessageLayout.LogOverhead)
        {
            throw new CorruptRecordException($"{buffer.Length} bytes are too short for a message's offset and size");
        }
        long offset = BinaryPrimitives.ReadInt64BigEndian(buffer);
        int size = BinaryPrimitives.ReadInt32BigEndian(buffer[LegacyMessageLayout.SizeOffset..]);
        if (size < LegacyMessageLayout.MinMessageSize(LegacyMessageLayout.MagicV0))
        {
            throw new CorruptRecordException($"message at offset {offset} has size {size}, below the minimum of {LegacyMessageLayout.MinMessageSize(0)}");
        }
        if (size > buffer.Length - LegacyMessageLayout.LogOverhead)
        {
            throw new CorruptRecordException($"message at offset {offset} declares {size} bytes but {buffer.Length - LegacyMessageLayout.LogOverhead} remain");
        }
        ReadOnlySpan<byte> message = buffer.Slice(LegacyMessageLayout.LogOverhead, size);
        byte magic = message[LegacyMessageLayout.MagicOffset];
        if (magic > LegacyMessageLayout.MagicV1)
        {
            throw new InvalidRecordException($"message at offset {offset} has magic {magic}; message sets hold magic 0 or 1");
        }
        if (size < LegacyMessageLayout.MinMessageSize(magic))
        {
            throw new CorruptRecordException($"magic {magic} message at offset {offset} has size {size}, below the minimum of {LegacyMessageLayout.MinMessageSize(magic)}");
        }
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(message);
        uint computed = Crc32.HashToUInt32(message[LegacyMessageLayout.MagicOffset..]);
        if (stored != computed)
        {
            throw new CorruptRecordException($"message at offset {offset} has CRC {stored:x8} but its bytes give {computed:x8}");
        }
        byte attributes = message[LegacyMessageLayout.AttributesOffset];
        long timestamp = magic == LegacyMessageLayout.MagicV0 ? -1 : BinaryPrimitives.ReadInt64BigEndian(message[LegacyMessageLayout.TimestampOffset..]);
        int p = LegacyMessageLayout.KeyLengthOffset(magic);
        ReadOnlySpan<byte> key = ReadBytes(message, ref p, offset, "key", out bool hasKey);
        ReadOnlySpan<byte> value = ReadBytes(message, ref p, offset, "value", out bool hasValue);
        if (p != message.Length)
        {
            throw new CorruptRecordException($"message at offset {offset} declares {size} bytes but its fields take {p}");
        }
        return new LegacyMessage(offset, magic, attributes, timestamp, key, hasKey, value, hasValue, LegacyMessageLayout.LogOverhead + size);
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> message, scoped ref int p, long offset, string what, out bool present)
    {
        if (message.Length - p < 4)
        {
            throw new CorruptRecordException($"message at offset {offset} ends before its {what} length");
        }
        int length = BinaryPrimitives.ReadInt32BigEndian(message[p..]);
        p += 4;
        if (length == -1)
        {
            present = false;
            return default;
        }
        if (length < 0 || length > message.Length - p)
        {
            throw new CorruptRecordException($"message at offset {offset} has {what} length {length} with {message.Length - p} bytes left");
        }
        present = true;
        ReadOnlySpan<byte> bytes = message.Slice(p, length);
        p += length;
        return bytes;
    }
}
