using System.Diagnostics;

namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// Holds a sender to a target rate (records per second; -1 = unlimited): after each record it waits
/// until the schedule catches up, sleeping for long gaps and spinning for short ones, so a fixed rate
/// stays smooth rather than bursting once per second.
/// </summary>
public sealed class Throttle
{
    private readonly double _ticksPerRecord;
    private readonly long _start;

    public Throttle(double recordsPerSecond)
    {
        _ticksPerRecord = recordsPerSecond > 0 ? Stopwatch.Frequency / recordsPerSecond : 0;
        _start = Stopwatch.GetTimestamp();
    }

    public bool IsUnlimited => _ticksPerRecord == 0;

    /// <summary>Waits until record number <paramref name="sent"/> (0-based count already sent) is due.</summary>
    public void WaitFor(long sent, CancellationToken cancellationToken)
    {
        if (IsUnlimited) return;
        long due = _start + (long)(sent * _ticksPerRecord);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long ahead = due - Stopwatch.GetTimestamp();
            if (ahead <= 0) return;
            double ms = ahead * 1000.0 / Stopwatch.Frequency;
            if (ms >= 2) Thread.Sleep((int)ms - 1);
            else Thread.SpinWait(64);
        }
    }
}
