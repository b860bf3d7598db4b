using System.Text;

namespace Samsa.Protocol.Records;

/// <summary>A header of a record being read: views into the batch bytes, valid while they are.</summary>
public readonly ref struct RecordHeader
{
    internal RecordHeader(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool hasValue)
    {
        Key = key;
        Value = value;
        HasValue = hasValue;
    }

    /// <summary>The key's UTF-8 bytes (a header key is never null).</summary>
    public ReadOnlySpan<byte> Key { get; }
    public ReadOnlySpan<byte> Value { get; }
    /// <summary>False when the value is null (as opposed to empty).</summary>
    public bool HasValue { get; }

    /// <summary>Allocates the key as a string; use <see cref="Key"/> on hot paths.</summary>
    public string KeyString => Encoding.UTF8.GetString(Key);
}

/// <summary>
/// Walks the headers of one record lazily. The record enumerator has already checked their
/// structure, so this does not throw on data it was given by it.
/// </summary>
public ref struct RecordHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;
    private int _remaining;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> bytes, int count)
    {
        _bytes = bytes;
        _remaining = count;
    }

    public RecordHeader Current { get; private set; }

    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining <= 0)
        {
            return false;
        }
        _remaining--;
        int keyLength = RecordVarint.Read(_bytes, ref _position);
        ReadOnlySpan<byte> key = _bytes.Slice(_position, keyLength);
        _position += keyLength;
        int valueLength = RecordVarint.Read(_bytes, ref _position);
        ReadOnlySpan<byte> value = default;
        if (valueLength >= 0)
        {
            value = _bytes.Slice(_position, valueLength);
            _position += valueLength;
        }
        Current = new RecordHeader(key, value, valueLength >= 0);
        return true;
    }
}
