namespace Samsa.Client.Producer;

/// <summary>
/// buffer.memory: the bytes all unsent batches may hold. Buffers of batch.size are kept on a free
/// list and reused; larger ones come from the shared array pool. An allocation that does not fit
/// waits for released memory up to max.block.ms, then fails with a clear message. Blocked senders
/// are woken once a sixteenth of buffer.memory (or what the largest of them needs) is free, not on
/// every released batch: a producer that outruns the network otherwise woke, appended one batch and
/// blocked again for every answer. A waiter also looks again every 50 ms, so memory held back
/// elsewhere (batches of a partition without a leader) cannot keep it from a batch that is free.
/// </summary>
internal sealed class BufferPool
{
    private static readonly long RecheckTicks = TimeSpan.FromMilliseconds(50).Ticks;

    private readonly object _lock = new();
    private readonly Stack<byte[]> _free = new();
    private readonly int _poolableSize;
    private readonly long _totalMemory;
    private long _available;
    private int _waiters;
    private long _wakeAtBytes;
    private bool _closed;

    public BufferPool(long totalMemory, int poolableSize)
    {
        _totalMemory = totalMemory;
        _available = totalMemory;
        _poolableSize = Math.Max(poolableSize, 1);
    }

    public long TotalMemory => _totalMemory;

    /// <summary>Bytes neither in use nor on the free list.</summary>
    public long UnallocatedMemory
    {
        get { lock (_lock) return _available; }
    }

    /// <summary>True while some send is blocked waiting for memory (the sender then drains eagerly).</summary>
    public bool HasWaiters => Volatile.Read(ref _waiters) > 0;

    public int PoolableSize => _poolableSize;

    /// <summary>A buffer of at least <paramref name="size"/> bytes, waiting until <paramref name="deadline"/> (UTC ticks).</summary>
    public byte[] Allocate(int size, long deadlineTicks, TimeProvider time)
    {
        if (size > _totalMemory)
            throw new KafkaException(Samsa.Protocol.ErrorCode.RecordListTooLarge,
                $"A record of {size} bytes is larger than buffer.memory ({_totalMemory}).");
        var poolable = size <= _poolableSize;
        var need = poolable ? _poolableSize : size;
        lock (_lock)
        {
            while (true)
            {
                if (_closed) throw new ObjectDisposedException(nameof(BufferPool), "The producer is closed.");
                if (poolable && _free.Count > 0) return _free.Pop();
                // Free-list buffers count as available memory that can be given back.
                while (_available < need && _free.Count > 0)
                {
                    _available += _free.Pop().Length;
                }
                if (_available >= need)
                {
                    _available -= need;
                    // Oversized records are rare: an exact array keeps the accounting exact.
                    return new byte[need];
                }
                var remaining = deadlineTicks - time.GetUtcNow().UtcTicks;
                if (remaining <= 0)
                    throw new KafkaTimeoutException(
                        $"Failed to allocate {need} bytes within max.block.ms: buffer.memory ({_totalMemory} bytes) is full " +
                        "and the broker has not taken batches.");
                _waiters++;
                _wakeAtBytes = Math.Max(_wakeAtBytes, Math.Max(need, _totalMemory / 16));
                try
                {
                    Monitor.Wait(_lock, TimeSpan.FromTicks(Math.Min(remaining, RecheckTicks)));
                }
                finally
                {
                    if (--_waiters == 0) _wakeAtBytes = 0;
                }
            }
        }
    }

    /// <summary>Gives a buffer back; the size accounted is the one allocated for it.</summary>
    public void Deallocate(byte[] buffer)
    {
        if (buffer.Length == 0) return;
        lock (_lock)
        {
            if (buffer.Length == _poolableSize) _free.Push(buffer);
            else _available += buffer.Length;
            if (_waiters > 0 && _available + (long)_free.Count * _poolableSize >= _wakeAtBytes) Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Wakes blocked senders, which then fail: the producer is closing.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            Monitor.PulseAll(_lock);
        }
    }
}
