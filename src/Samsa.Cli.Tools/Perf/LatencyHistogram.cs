namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// A log-linear latency histogram in microseconds (HDR-style): each power-of-two range is split into
/// 128 equal buckets, so any recorded value is reported within 1/128 (under 1 %) of itself, from 1 µs
/// to about 1 hour, in a fixed 30 KiB array. Recording is allocation-free; not thread-safe (callers lock
/// or keep one per thread and <see cref="Add"/> them).
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Ranges = 32;
    private readonly long[] _counts = new long[Ranges * SubBuckets];

    public long Count { get; private set; }
    public long MaxMicros { get; private set; }
    public long SumMicros { get; private set; }

    public double AverageMicros => Count == 0 ? 0 : (double)SumMicros / Count;

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        _counts[IndexOf(micros)]++;
        Count++;
        SumMicros += micros;
        if (micros > MaxMicros) MaxMicros = micros;
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        SumMicros += other.SumMicros;
        if (other.MaxMicros > MaxMicros) MaxMicros = other.MaxMicros;
    }

    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        SumMicros = 0;
        MaxMicros = 0;
    }

    /// <summary>The value at or below which <paramref name="percentile"/> % of the recorded values lie (upper bucket edge, capped at max).</summary>
    public long PercentileMicros(double percentile)
    {
        if (Count == 0) return 0;
        long rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperEdge(i), MaxMicros);
        }
        return MaxMicros;
    }

    // Values below 128 get one bucket each; above, range r (r >= 1) covers [2^(r+6), 2^(r+7)) in 128 steps.
    internal static int IndexOf(long micros)
    {
        if (micros < SubBuckets) return (int)micros;
        int top = 63 - (int)long.LeadingZeroCount(micros);
        int range = top - SubBucketBits + 1;
        if (range >= Ranges) return Ranges * SubBuckets - 1;
        int sub = (int)(micros >> (range - 1)) - SubBuckets;
        return range * SubBuckets + sub;
    }

    internal static long UpperEdge(int index)
    {
        int range = index / SubBuckets;
        int sub = index % SubBuckets;
        if (range == 0) return sub;
        return ((long)(SubBuckets + sub + 1) << (range - 1)) - 1;
    }
}
