using System.Buffers.Binary;
using Samsa.Protocol.Compression;

namespace Samsa.Protocol.Records;

/// <summary>
/// Walks a magic 0/1 message set and yields the messages a consumer sees: compressed wrappers are
/// decompressed and their inner messages returned with absolute offsets (magic 1 relative offsets
/// resolved against the wrapper when that gives offsets from 0 up) and, under a LogAppendTime wrapper, the wrapper's timestamp.
/// Every message is checked by <see cref="LegacyMessage.Read"/>; besides, a wrapper must hold at
/// least one message, inner messages must not be compressed and must have the wrapper's magic
/// (<see cref="InvalidRecordException"/>), and zstd does not exist before magic 2
/// (<see cref="UnsupportedCompressionTypeException"/>). Nothing is ever skipped: a truncated
/// trailing message throws. Dispose (foreach does) to give the decompression buffer back.
/// </summary>
public ref struct LegacyMessageEnumerator
{
    private ReadOnlySpan<byte> _outer;
    private ReadOnlySpan<byte> _inner;
    private readonly int _maxDecompressedSize;
    private PooledBufferWriter? _decompressed;
    private bool _inWrapper;
    private byte _wrapperMagic;
    private long _wrapperOffset;
    private long _innerBase;
    private long _wrapperTimestamp;
    private bool _wrapperLogAppendTime;

    public LegacyMessageEnumerator(ReadOnlySpan<byte> messageSet, int maxDecompressedSize = RecordBatch.DefaultMaxDecompressedSize)
    {
        _outer = messageSet;
        _maxDecompressedSize = maxDecompressedSize;
    }

    public LegacyMessage Current { get; private set; }

    /// <summary>The codec of the first compressed wrapper seen, else none.</summary>
    public CompressionType SourceCompression { get; private set; }

    /// <summary>The highest magic seen so far.</summary>
    public byte Magic { get; private set; }

    public readonly LegacyMessageEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (true)
        {
            if (_inWrapper)
            {
                if (!_inner.IsEmpty)
                {
                    LegacyMessage m = LegacyMessage.Read(_inner);
                    _inner = _inner[m.SizeInBytes..];
                    if (m.Compression != CompressionType.None)
                    {
                        throw new InvalidRecordException($"the compressed message at offset {_wrapperOffset} holds another compressed message");
                    }
                    if (m.Magic != _wrapperMagic)
                    {
                        throw new InvalidRecordException($"the magic {_wrapperMagic} compressed message at offset {_wrapperOffset} holds a magic {m.Magic} message");
                    }
                    long offset = _innerBase >= 0 ? _innerBase + m.Offset : m.Offset;
                    Current = m.With(offset, _wrapperLogAppendTime ? _wrapperTimestamp : m.Timestamp);
                    return true;
                }
                _inWrapper = false;
            }
            if (_outer.IsEmpty)
            {
                return false;
            }
            LegacyMessage message = LegacyMessage.Read(_outer);
            _outer = _outer[message.SizeInBytes..];
            Magic = Math.Max(Magic, message.Magic);
            if (message.Compression == CompressionType.None)
            {
                Current = message;
                return true;
            }
            OpenWrapper(message);
        }
    }

    private void OpenWrapper(LegacyMessage wrapper)
    {
        CompressionType codec = wrapper.Compression;
        if (codec >= CompressionType.Zstd)
        {
            throw new UnsupportedCompressionTypeException((int)codec);
        }
        if (!wrapper.HasValue)
        {
            throw new InvalidRecordException($"the compressed message at offset {wrapper.Offset} has a null value");
        }
        if (SourceCompression == CompressionType.None)
        {
            SourceCompression = codec;
        }
        _decompressed ??= new PooledBufferWriter(Math.Max(256, wrapper.Value.Length * 4));
        _decompressed.Clear();
        CompressionCodecs.Get(codec).Decompress(wrapper.Value, _decompressed, _maxDecompressedSize);
        _inner = _decompressed.WrittenSpan;
        if (_inner.IsEmpty)
        {
            throw new InvalidRecordException($"the compressed message at offset {wrapper.Offset} holds no messages");
        }
        _inWrapper = true;
        _wrapperMagic = wrapper.Magic;
        _wrapperOffset = wrapper.Offset;
        _wrapperTimestamp = wrapper.Timestamp;
        _wrapperLogAppendTime = wrapper.TimestampType == TimestampType.LogAppendTime;
        // Magic 1: the wrapper's offset is the last inner message's absolute offset. A producer's
        // wrapper (offset 0, not yet assigned) gives a negative base: then the inner offsets stay as
        // written, as Kafka's clients read them.
        _innerBase = wrapper.Magic > LegacyMessageLayout.MagicV0 ? wrapper.Offset - LastInnerOffset(_inner) : -1;
    }

    /// <summary>The offset field of the last whole message; a malformed set is reported when it is read.</summary>
    private static long LastInnerOffset(ReadOnlySpan<byte> set)
    {
        long last = 0;
        while (set.Length >= LegacyMessageLayout.LogOverhead)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(set[LegacyMessageLayout.SizeOffset..]);
            if (size < 0 || size > set.Length - LegacyMessageLayout.LogOverhead)
            {
                break;
            }
            last = BinaryPrimitives.ReadInt64BigEndian(set);
            set = set[(LegacyMessageLayout.LogOverhead + size)..];
        }
        return last;
    }

    public void Dispose()
    {
        _decompressed?.Dispose();
        _decompressed = null;
    }
}
