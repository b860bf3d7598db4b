using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// Writes a magic 0 or 1 message set (layout in <see cref="LegacyMessageLayout"/>). Uncompressed,
/// every record becomes one message; compressed, the messages go into one wrapper message whose
/// value is the compressed set, written as Kafka writes it: the wrapper carries the last inner
/// offset and (magic 1) the largest timestamp, magic 1 inner offsets are relative to the first
/// record, and a magic 0 LZ4 frame carries the header checksum old Kafka computed (over the magic
/// bytes too), which magic 0 readers expect. Zstd does not exist before magic 2. Reusable through
/// <see cref="Reset"/>; not thread-safe; used off the hot paths (format conversion).
/// </summary>
public sealed class LegacyMessageSetBuilder : IDisposable
{
    private readonly PooledBufferWriter _messages = new(1024);
    private readonly PooledBufferWriter _output = new(1024);
    private PooledBufferWriter? _compressed;
    private long _firstOffset;
    private long _lastOffset;
    private long _maxTimestamp;
    private bool _built;

    public LegacyMessageSetBuilder(byte magic, CompressionType compression = CompressionType.None, TimestampType timestampType = TimestampType.CreateTime) =>
        Reset(magic, compression, timestampType);

    public byte Magic { get; private set; }
    public CompressionType Compression { get; private set; }
    public TimestampType TimestampType { get; private set; }
    public int RecordCount { get; private set; }

    /// <summary>Forgets the records and starts a set with these settings; keeps the buffers.</summary>
    public void Reset(byte magic, CompressionType compression = CompressionType.None, TimestampType timestampType = TimestampType.CreateTime)
    {
        if (magic > LegacyMessageLayout.MagicV1)
        {
            throw new ArgumentOutOfRangeException(nameof(magic), $"message sets have magic 0 or 1, not {magic}");
        }
        if (compression > CompressionType.Lz4)
        {
            throw new ArgumentOutOfRangeException(nameof(compression), $"{compression} is not available for magic {magic}");
        }
        Magic = magic;
        Compression = compression;
        TimestampType = timestampType;
        RecordCount = 0;
        _firstOffset = -1;
        _lastOffset = -1;
        _maxTimestamp = -1;
        _built = false;
        _messages.Clear();
        _output.Clear();
    }

    /// <summary>
    /// Appends a record at <paramref name="offset"/> (offsets must increase). The timestamp is
    /// dropped for magic 0; under LogAppendTime pass the log append time.
    /// </summary>
    public void Append(long offset, long timestamp, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue)
    {
        if (_built)
        {
            throw new InvalidOperationException("the message set was built; call Reset before appending again");
        }
        if (RecordCount > 0 && offset <= _lastOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} does not follow offset {_lastOffset}");
        }
        if (RecordCount == 0)
        {
            _firstOffset = offset;
        }
        bool relative = Compression != CompressionType.None && Magic > LegacyMessageLayout.MagicV0;
        WriteMessage(_messages, relative ? offset - _firstOffset : offset, Magic, TimestampAttribute(), timestamp,
            key, hasKey, value, hasValue);
        _lastOffset = offset;
        _maxTimestamp = RecordCount == 0 ? timestamp : Math.Max(_maxTimestamp, timestamp);
        RecordCount++;
    }

    /// <summary>Appends a record with a byte[] key and value (null stays null).</summary>
    public void Append(long offset, long timestamp, byte[]? key, byte[]? value) =>
        Append(offset, timestamp, key, key is not null, value, value is not null);

    /// <summary>Uncompressed bytes so far: an upper bound of the uncompressed set's size, log overheads included.</summary>
    public int UncompressedSize => _messages.WrittenCount;

    /// <summary>
    /// Finishes the set (empty when no record was appended). The bytes belong to the builder and
    /// stay valid until <see cref="Reset"/> or <see cref="Dispose"/>.
    /// </summary>
    public ReadOnlySpan<byte> Build()
    {
        if (!_built)
        {
            _built = true;
            if (Compression == CompressionType.None || RecordCount == 0)
            {
                return _messages.WrittenSpan;
            }
            _compressed ??= new PooledBufferWriter(_messages.WrittenCount);
            _compressed.Clear();
            CompressionCodecs.Get(Compression).Compress(_messages.WrittenSpan, _compressed);
            if (Compression == CompressionType.Lz4 && Magic == LegacyMessageLayout.MagicV0)
            {
                FixLz4HeaderChecksumForMagicV0(_compressed.WrittenMemoryMutable.Span);
            }
            WriteMessage(_output, _lastOffset, Magic, (byte)((byte)Compression | TimestampAttribute()), _maxTimestamp,
                default, false, _compressed.WrittenSpan, true);
        }
        return Compression == CompressionType.None || RecordCount == 0 ? _messages.WrittenSpan : _output.WrittenSpan;
    }

    private byte TimestampAttribute() =>
        Magic > LegacyMessageLayout.MagicV0 && TimestampType == TimestampType.LogAppendTime ? (byte)LegacyMessageLayout.TimestampTypeMask : (byte)0;

    /// <summary>
    /// Kafka before magic 1 hashed the frame's magic number together with its descriptor for the
    /// LZ4 header checksum; magic 0 readers (Kafka's and clients') expect that value.
    /// </summary>
    private static void FixLz4HeaderChecksumForMagicV0(Span<byte> frame)
    {
        const int descriptorEnd = 6; // magic (4), FLG, BD; this codec never writes a content size
        if (frame.Length > descriptorEnd)
        {
            frame[descriptorEnd] = (byte)(XxHash32.HashToUInt32(frame[..descriptorEnd]) >> 8);
        }
    }

    /// <summary>Writes one message, log overhead included, and its CRC.</summary>
    public static void WriteMessage(IBufferWriter<byte> output, long offset, byte magic, byte attributes, long timestamp,
        ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> value, bool hasValue)
    {
        int size = LegacyMessageLayout.MinMessageSize(magic) + (hasKey ? key.Length : 0) + (hasValue ? value.Length : 0);
        int total = LegacyMessageLayout.LogOverhead + size;
        Span<byte> span = output.GetSpan(total)[..total];
        BinaryPrimitives.WriteInt64BigEndian(span, offset);
        BinaryPrimitives.WriteInt32BigEndian(span[LegacyMessageLayout.SizeOffset..], size);
        Span<byte> message = span[LegacyMessageLayout.LogOverhead..];
        message[LegacyMessageLayout.MagicOffset] = magic;
        message[LegacyMessageLayout.AttributesOffset] = attributes;
        int p = LegacyMessageLayout.TimestampOffset;
        if (magic > LegacyMessageLayout.MagicV0)
        {
            BinaryPrimitives.WriteInt64BigEndian(message[p..], timestamp);
            p += 8;
        }
        WriteBytes(message, ref p, key, hasKey);
        WriteBytes(message, ref p, value, hasValue);
        BinaryPrimitives.WriteUInt32BigEndian(message, Crc32.HashToUInt32(message[LegacyMessageLayout.MagicOffset..]));
        output.Advance(total);
    }

    private static void WriteBytes(Span<byte> message, ref int p, ReadOnlySpan<byte> bytes, bool present)
    {
        BinaryPrimitives.WriteInt32BigEndian(message[p..], present ? bytes.Length : -1);
        p += 4;
        if (present)
        {
            bytes.CopyTo(message[p..]);
            p += bytes.Length;
        }
    }

    public void Dispose()
    {
        _messages.Dispose();
        _output.Dispose();
        _compressed?.Dispose();
    }
}
