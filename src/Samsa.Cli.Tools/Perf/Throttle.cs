using System.Diagnostics;

namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// Holds a sender to a target rate (records per second; -1 = unlimited): after each record it sleeps
/// while the next one is due a millisecond or more from now; a record due sooner goes at once. So the
/// rate holds on average, in bursts of up to a millisecond's records, and the sender never spins: a
/// spinning sender kept one core busy, which on a small machine is CPU the broker and the client under
/// test need (at 1,000/s and above every gap is under the sleep granularity).
/// </summary>
public sealed class Throttle
{
    private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;
    private readonly double _ticksPerRecord;
    private readonly long _start;

    public Throttle(double recordsPerSecond)
    {
        _ticksPerRecord = recordsPerSecond > 0 ? Stopwatch.Frequency / recordsPerSecond : 0;
        _start = Stopwatch.GetTimestamp();
    }

    public bool IsUnlimited => _ticksPerRecord == 0;

    /// <summary>Waits until record number <paramref name="sent"/> (0-based count already sent) is due, or less than a millisecond away.</summary>
    public void WaitFor(long sent, CancellationToken cancellationToken)
    {
        if (IsUnlimited) return;
        long due = _start + (long)(sent * _ticksPerRecord);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long ahead = due - Stopwatch.GetTimestamp();
            if (ahead < TicksPerMillisecond) return;
            Thread.Sleep((int)Math.Min(ahead / TicksPerMillisecond, 1000));
        }
    }
}
