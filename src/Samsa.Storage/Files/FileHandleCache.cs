using System.Collections.Concurrent;

namespace Samsa.Storage.Files;

/// <summary>
/// Bounds the number of open segment file handles across all partitions of a process, so thousands
/// of idle partitions do not each hold files open. Eviction is CLOCK (second chance): files leased
/// since the hand last passed survive one more round; files with a live lease are never closed.
/// Thread-safety: all members are safe to call concurrently.
/// </summary>
internal sealed class FileHandleCache
{
    private readonly ConcurrentQueue<SegmentFile> _queue = new();
    private readonly Lock _evictGate = new();
    private int _open;

    public FileHandleCache(int maxOpenFiles)
    {
        MaxOpenFiles = Math.Max(1, maxOpenFiles);
    }

    public int MaxOpenFiles { get; }

    /// <summary>Segment file handles open right now.</summary>
    public int OpenCount => Volatile.Read(ref _open);

    internal void OnOpened(SegmentFile file)
    {
        Interlocked.Increment(ref _open);
        lock (_evictGate)
        {
            if (!file.Queued)
            {
                file.Queued = true;
                _queue.Enqueue(file);
            }
        }
        if (Volatile.Read(ref _open) > MaxOpenFiles)
        {
            Evict();
        }
    }

    internal void OnClosed() => Interlocked.Decrement(ref _open);

    private void Evict()
    {
        lock (_evictGate)
        {
            // Two passes at most: the first clears reference bits, the second closes.
            int budget = _queue.Count * 2;
            while (Volatile.Read(ref _open) > MaxOpenFiles && budget-- > 0 && _queue.TryDequeue(out SegmentFile? f))
            {
                if (!f.IsOpen)
                {
                    f.Queued = false;
                    continue;
                }
                if (f.Referenced)
                {
                    f.Referenced = false;
                    _queue.Enqueue(f);
                    continue;
                }
                if (!f.TryCloseIdle())
                {
                    _queue.Enqueue(f); // leased right now
                    continue;
                }
                f.Queued = false;
            }
        }
    }
}
