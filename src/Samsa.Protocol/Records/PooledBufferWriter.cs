using System.Buffers;

namespace Samsa.Protocol.Records;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>.
/// <see cref="Clear"/> keeps the array for reuse; <see cref="Dispose"/> returns it.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 256) =>
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));

    public int WrittenCount => _written;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);
    public Memory<byte> WrittenMemoryMutable => _buffer.AsMemory(0, _written);
    public int Capacity => _buffer.Length;

    /// <summary>Bumped on every hand-out and return, so a stale copy of an owner cannot return it twice.</summary>
    public int Generation { get; set; }

    public void Clear() => _written = 0;

    public void Advance(int count)
    {
        if (count < 0 || _written + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Makes room for <paramref name="sizeHint"/> more bytes (at least one).</summary>
    public void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }
        long wanted = Math.Max((long)_buffer.Length * 2, (long)_written + needed);
        int size = (int)Math.Min(wanted, Array.MaxLength);
        if (size - _written < needed)
        {
            throw new InsufficientMemoryException($"buffer cannot grow past {Array.MaxLength} bytes");
        }
        byte[] bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = bigger;
    }

    /// <summary>Hands the array and its length to the caller, who returns it to the pool; this writer starts over empty.</summary>
    public byte[] Detach(out int length)
    {
        byte[] buffer = _buffer;
        length = _written;
        _buffer = ArrayPool<byte>.Shared.Rent(256);
        _written = 0;
        return buffer;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _written = 0;
        }
    }
}
