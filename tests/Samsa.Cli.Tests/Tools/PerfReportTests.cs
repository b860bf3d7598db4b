using Samsa.Cli.Tools.Perf;

namespace Samsa.Cli.Tests.Tools;

public sealed class PerfReportTests
{
    [Fact]
    public void Histogram_percentiles_stay_within_one_percent()
    {
        var h = new LatencyHistogram();
        for (long us = 1; us <= 100_000; us++) h.Record(us);
        Assert.Equal(100_000, h.Count);
        Assert.Equal(100_000, h.MaxMicros);
        Assert.InRange(h.AverageMicros, 50_000, 50_001);
        foreach (var (p, exact) in new[] { (50.0, 50_000L), (95.0, 95_000L), (99.0, 99_000L), (99.9, 99_900L) })
        {
            long v = h.PercentileMicros(p);
            Assert.InRange(v, exact, exact + exact / 100);
        }
        Assert.Equal(100_000, h.PercentileMicros(100));
    }

    [Fact]
    public void Small_values_are_exact_and_negative_counts_as_zero()
    {
        var h = new LatencyHistogram();
        h.Record(-5);
        h.Record(3);
        h.Record(127);
        Assert.Equal(0, h.PercentileMicros(1));
        Assert.Equal(3, h.PercentileMicros(50));
        Assert.Equal(127, h.PercentileMicros(99));
    }

    [Fact]
    public void Summary_has_kafkas_shape()
    {
        var h = new LatencyHistogram();
        h.Record(1500);
        h.Record(2500);
        string line = PerfReport.Summary("sent", 2000, 2000 * 1024, 2.0, h);
        Assert.Equal("2000 records sent, 1000.0 records/sec (0.98 MB/sec), 2.00 ms avg latency, 2.50 ms max latency, "
            + "1.50 ms 50th, 2.50 ms 95th, 2.50 ms 99th, 2.50 ms 99.9th.", line);
    }
}
