using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Samsa.Server.Network;

/// <summary>
/// The memory behind the listeners' pipes: blocks of <see cref="BlockSize"/> bytes instead of
/// Kestrel's 4 KiB. The socket transport receives into whatever block the pipe hands it, so with
/// 4 KiB blocks a 16 KiB produce request (the Java client's default batch) took four receive calls
/// and four completions; with 64 KiB blocks it takes one. Blocks live on the pinned object heap and
/// are reused; at most <see cref="MaxRetained"/> idle blocks are kept, the rest go to the GC.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>Bytes per block: one receive call's worth.</summary>
    internal const int BlockSize = 64 * 1024;

    /// <summary>Idle blocks kept for reuse (4 MiB): enough for a few busy connections.</summary>
    internal const int MaxRetained = 64;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private long _allocated;
    private bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rented = true;
            return block;
        }
        Interlocked.Increment(ref _allocated);
        return new Block(this);
    }

    /// <summary>Blocks allocated so far (rented when none was free).</summary>
    internal long Allocated => Interlocked.Read(ref _allocated);

    private void Return(Block block)
    {
        if (Volatile.Read(ref _disposed)) return; // the GC takes it
        if (Interlocked.Increment(ref _freeCount) > MaxRetained)
        {
            Interlocked.Decrement(ref _freeCount);
            return;
        }
        _free.Enqueue(block);
    }

    /// <summary>Idle blocks held for reuse.</summary>
    internal int Retained => Volatile.Read(ref _freeCount);

    protected override void Dispose(bool disposing)
    {
        Volatile.Write(ref _disposed, true);
        _free.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        internal bool Rented = true;

        public Memory<byte> Memory => _array;

        public void Dispose()
        {
            // The pipe returns each segment once; a second return would hand one block out twice.
            if (!Rented) return;
            Rented = false;
            pool.Return(this);
        }
    }
}

/// <summary>
/// Hands Kestrel's transports a <see cref="LargeBlockMemoryPool"/> each. Registered after Kestrel's
/// own factory so it is the one resolved.
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private readonly List<LargeBlockMemoryPool> _created = [];

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new LargeBlockMemoryPool();
        lock (_created) _created.Add(pool);
        return pool;
    }

    /// <summary>Blocks allocated by every pool created so far.</summary>
    internal long Allocated
    {
        get
        {
            lock (_created)
            {
                long sum = 0;
                foreach (var pool in _created) sum += pool.Allocated;
                return sum;
            }
        }
    }
}
