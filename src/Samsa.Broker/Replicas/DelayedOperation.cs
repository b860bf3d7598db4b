namespace Samsa.Broker.Replicas;

/// <summary>
/// Work that waits for a condition or a deadline, whichever comes first (Kafka's DelayedOperation):
/// a fetch waiting for <c>fetch.min.bytes</c>, later an <c>acks=all</c> produce waiting for its
/// replicas. <see cref="TryComplete"/> is called by whoever may have made the condition true
/// (an append, a high watermark move); the deadline timer and cancellation force completion.
/// Thread-safety: any method from any thread; <see cref="OnComplete"/> runs exactly once.
/// </summary>
public abstract class DelayedOperation : IDisposable
{
    private int _completed;
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    /// <summary>True once the operation completed (by condition, deadline or cancellation).</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>True when the awaited condition holds. Called concurrently; must only read.</summary>
    protected abstract bool CanComplete();

    /// <summary>Produces the result. Runs once, on the thread that completed the operation: keep it short.</summary>
    protected abstract void OnComplete();

    /// <summary>Raised after <see cref="OnComplete"/>, so the purgatory can forget the operation.</summary>
    internal event Action<DelayedOperation>? Completed;

    /// <summary>Completes the operation if its condition holds; true when it is (now or already) complete.</summary>
    public bool TryComplete() => IsCompleted || (CanComplete() && ForceComplete()) || IsCompleted;

    /// <summary>Completes the operation whatever the condition; false if it had already completed.</summary>
    public bool ForceComplete()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }
        _timer?.Dispose();
        _cancellation.Dispose();
        OnComplete();
        Completed?.Invoke(this);
        return true;
    }

    /// <summary>Arms the deadline and the cancellation; either forces completion.</summary>
    internal void Arm(TimeProvider time, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(static s => ((DelayedOperation)s!).ForceComplete(), this, timeout, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static s => ((DelayedOperation)s!).ForceComplete(), this);
        }
        if (IsCompleted)
        {
            // Completed while arming: the timer may have been created after ForceComplete disposed the old one.
            _timer.Dispose();
            _cancellation.Dispose();
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }
}
