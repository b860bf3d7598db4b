using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Samsa.Storage;

/// <summary>
/// Kafka's "flush-log" task: when a partition rolls, the segments below the new active segment are
/// fsync'd here, on one dedicated thread per log directory, instead of on the appending thread under
/// the partition lock. The partition moves its recovery point only after the flush completed
/// (<see cref="PartitionLog.RunRollFlush"/>).
/// <para>A dedicated thread rather than the thread pool: an fsync of a 1 GiB segment may block for
/// hundreds of milliseconds, and blocked pool threads delay everything else the process schedules.</para>
/// Thread-safety: all members are safe to call concurrently.
/// </summary>
internal sealed class SegmentFlusher : IDisposable
{
    private readonly BlockingCollection<PartitionLog> _queue = new(new ConcurrentQueue<PartitionLog>());
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private int _pending;

    public SegmentFlusher(ILogger logger)
    {
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "samsa-log-flush" };
        _thread.Start();
    }

    /// <summary>Test seam: runs on the flush thread before a partition's rolled segments are fsync'd (partition, new recovery point).</summary>
    internal Action<TopicPartition, long>? BeforeFlush { get; set; }

    /// <summary>Partitions queued or being flushed (tests wait for 0).</summary>
    internal int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues a partition whose roll flush is pending; after <see cref="Dispose"/> nothing runs (close flushes itself).</summary>
    public void Enqueue(PartitionLog log)
    {
        Interlocked.Increment(ref _pending);
        try
        {
            _queue.Add(log);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            Interlocked.Decrement(ref _pending);
            // Shutting down: the partition's Close fsyncs everything itself.
        }
    }

    private void Run()
    {
        foreach (PartitionLog log in _queue.GetConsumingEnumerable())
        {
            try
            {
                log.RunRollFlush(BeforeFlush);
            }
            catch (Exception e)
            {
                // RunRollFlush handles I/O errors itself (the partition goes offline); anything else is a bug,
                // but must not end the thread that every other partition's flushes depend on.
                _logger.LogError(e, "{Partition}: background flush failed", log.TopicPartition);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>Stops taking work and waits for the queue to drain (closed partitions skip their turn at once).</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }
}
