using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Samsa.Protocol.Records;

namespace Samsa.Storage;

/// <summary>
/// Reads the batches of one segment file front to back through a pooled window (1 MiB, grown for a
/// larger batch). Stops at the first bytes that are not a whole batch. Not thread-safe; dispose to
/// return the buffer.
/// </summary>
internal sealed class SegmentBatchReader : IDisposable
{
    private const int WindowSize = 1024 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _size;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(WindowSize);
    private long _bufferStart;
    private int _bufferLength;
    private long _position;

    public SegmentBatchReader(SafeFileHandle handle, long size)
    {
        _handle = handle;
        _size = size;
    }

    /// <summary>Bytes consumed so far.</summary>
    public long Position => _position;

    /// <summary>The next whole batch, or an empty span at the end.</summary>
    public ReadOnlySpan<byte> Next()
    {
        if (_size - _position < RecordBatchLayout.LogOverhead)
        {
            return default;
        }
        if (!Ensure(RecordBatchLayout.LogOverhead))
        {
            return default;
        }
        int length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan((int)(_position - _bufferStart) + RecordBatchLayout.BatchLengthOffset));
        long total = (long)length + RecordBatchLayout.LogOverhead;
        if (length < BatchValidation.MinBatchLength || _position + total > _size || total > int.MaxValue / 2 || !Ensure((int)total))
        {
            return default;
        }
        ReadOnlySpan<byte> batch = _buffer.AsSpan((int)(_position - _bufferStart), (int)total);
        _position += total;
        return batch;
    }

    private bool Ensure(int count)
    {
        if (_position >= _bufferStart && _position + count <= _bufferStart + _bufferLength)
        {
            return true;
        }
        if (count > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(count);
        }
        _bufferStart = _position;
        _bufferLength = 0;
        int want = (int)Math.Min(_buffer.Length, _size - _position);
        while (_bufferLength < want)
        {
            int n = RandomAccess.Read(_handle, _buffer.AsSpan(_bufferLength, want - _bufferLength), _position + _bufferLength);
            if (n == 0)
            {
                break;
            }
            _bufferLength += n;
        }
        return _bufferLength >= count;
    }

    public void Dispose()
    {
        byte[] b = _buffer;
        _buffer = [];
        if (b.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
