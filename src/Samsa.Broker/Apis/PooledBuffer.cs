using System.Buffers;

namespace Samsa.Broker.Apis;

/// <summary>A pooled array a response borrows until its bytes are written (fetch records).</summary>
internal sealed class PooledBuffer : IDisposable
{
    private byte[]? _array;

    public PooledBuffer(int minimumLength) => _array = ArrayPool<byte>.Shared.Rent(minimumLength);

    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledBuffer));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is { } a)
        {
            ArrayPool<byte>.Shared.Return(a);
        }
    }
}
