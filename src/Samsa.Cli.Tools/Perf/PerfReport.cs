using System.Diagnostics;
using System.Globalization;

namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// The perf tools' output lines, in the shape of Kafka's perf-test tools so scripts that read those
/// read these: a progress line per window and one summary line. Figures use '.' whatever the culture.
/// </summary>
public static class PerfReport
{
    private const double Mebibyte = 1024.0 * 1024.0;

    /// <summary>How often a progress line is printed.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary><c>N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency.</c></summary>
    public static string Progress(string verb, long records, long bytes, double seconds, double avgLatencyMs, double maxLatencyMs) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{records} records {verb}, {Rate(records, seconds):F1} records/sec ({Rate(bytes, seconds) / Mebibyte:F2} MB/sec), {avgLatencyMs:F1} ms avg latency, {maxLatencyMs:F1} ms max latency.");

    /// <summary>The final line: totals, rates and the latency distribution.</summary>
    public static string Summary(string verb, long records, long bytes, double seconds, LatencyHistogram latency)
    {
        ArgumentNullException.ThrowIfNull(latency);
        return string.Create(CultureInfo.InvariantCulture,
            $"{records} records {verb}, {Rate(records, seconds):F1} records/sec ({Rate(bytes, seconds) / Mebibyte:F2} MB/sec), "
            + $"{latency.AverageMicros / 1000.0:F2} ms avg latency, {latency.MaxMicros / 1000.0:F2} ms max latency, "
            + $"{Ms(latency, 50)} ms 50th, {Ms(latency, 95)} ms 95th, {Ms(latency, 99)} ms 99th, {Ms(latency, 99.9)} ms 99.9th.");
    }

    /// <summary>Throughput-only progress for the consumer: <c>N records consumed, R records/sec (M MB/sec).</c></summary>
    public static string Throughput(string verb, long records, long bytes, double seconds) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{records} records {verb}, {Rate(records, seconds):F1} records/sec ({Rate(bytes, seconds) / Mebibyte:F2} MB/sec).");

    /// <summary>Process facts for <c>--print-metrics</c>: CPU, GC and allocations of this client process.</summary>
    public static IEnumerable<string> ProcessMetrics(long records, long allocatedBefore)
    {
        using var self = Process.GetCurrentProcess();
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        var inv = CultureInfo.InvariantCulture;
        yield return string.Create(inv, $"process:cpu-time-ms = {self.TotalProcessorTime.TotalMilliseconds:F0}");
        yield return string.Create(inv, $"process:working-set-mb = {self.WorkingSet64 / Mebibyte:F1}");
        yield return string.Create(inv, $"gc:allocated-bytes = {allocated}");
        yield return string.Create(inv, $"gc:allocated-bytes-per-record = {(records == 0 ? 0 : (double)allocated / records):F1}");
        yield return string.Create(inv, $"gc:gen0-collections = {GC.CollectionCount(0)}");
        yield return string.Create(inv, $"gc:gen1-collections = {GC.CollectionCount(1)}");
        yield return string.Create(inv, $"gc:gen2-collections = {GC.CollectionCount(2)}");
        yield return string.Create(inv, $"gc:pause-time-ms = {GC.GetTotalPauseDuration().TotalMilliseconds:F0}");
    }

    private static double Rate(long n, double seconds) => seconds <= 0 ? 0 : n / seconds;

    private static string Ms(LatencyHistogram h, double percentile) =>
        (h.PercentileMicros(percentile) / 1000.0).ToString("F2", CultureInfo.InvariantCulture);
}
