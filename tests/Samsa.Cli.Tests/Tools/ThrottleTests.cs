using System.Diagnostics;
using Samsa.Cli.Tools.Perf;

namespace Samsa.Cli.Tests.Tools;

public sealed class ThrottleTests
{
    [Fact]
    public void Never_lets_a_record_go_more_than_a_millisecond_before_it_is_due()
    {
        long start = Stopwatch.GetTimestamp(); // before the throttle's own start, so elapsed here is never less
        var throttle = new Throttle(2000); // one record every 0.5 ms
        for (long sent = 1; sent <= 200; sent++)
        {
            throttle.WaitFor(sent, CancellationToken.None);
            double elapsedMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Assert.True(elapsedMs >= sent * 0.5 - 1.0, $"record {sent} went at {elapsedMs:F3} ms, due at {sent * 0.5:F1} ms");
        }
    }

    [Fact]
    public void Unlimited_never_waits_and_a_cancelled_wait_throws()
    {
        var unlimited = new Throttle(-1);
        Assert.True(unlimited.IsUnlimited);
        unlimited.WaitFor(long.MaxValue / 2, CancellationToken.None);

        var slow = new Throttle(1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => slow.WaitFor(10, cancelled.Token));
    }
}
