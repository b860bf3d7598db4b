using System.Diagnostics;
using Samsa.Client;

namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// <c>samsa perf produce</c>: sends --num-records records of --record-size random letters (no key) at
/// --throughput, timing each from the send call to its acknowledgement.
/// </summary>
internal static class ProducePerf
{
    public static async Task<int> RunAsync(PerfOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var props = PerfCommand.ProducerProperties(options);
        var config = new ProducerConfig(props);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);

        var payload = RandomPayload(options.RecordSize);
        var message = new Message<byte[]?, byte[]> { Value = payload };
        var stats = new AckStats();
        var throttle = new Throttle(options.Throughput);
        await using var producer = new Producer<byte[]?, byte[]>(config, Serializers.ByteArray!, Serializers.ByteArray, new StderrLoggerFactory());

        var start = Stopwatch.GetTimestamp();
        using var progressStop = new CancellationTokenSource();
        var progress = PrintProgressAsync(stats, output, progressStop.Token);
        long sent = 0;
        try
        {
            for (; sent < options.NumRecords && !cancellationToken.IsCancellationRequested; sent++)
            {
                long sendStart = Stopwatch.GetTimestamp();
                // The producer serializes the value before Produce returns, so one message and one payload serve every send.
                producer.Produce(options.Topic, message, report => stats.Completed(sendStart, payload.Length, report));
                throttle.WaitFor(sent + 1, cancellationToken);
            }
            await producer.FlushAsync(cancellationToken);
        }
        finally
        {
            await progressStop.CancelAsync();
            await progress;
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var (acked, bytes, errors, firstError, histogram) = stats.Totals();
        await output.WriteLineAsync(PerfReport.Summary("sent", acked, bytes, seconds, histogram));
        if (options.PrintMetrics)
        {
            foreach (var line in PerfReport.ProcessMetrics(acked, allocatedBefore)) await output.WriteLineAsync(line);
        }
        if (errors > 0)
        {
            await Console.Error.WriteLineAsync($"perf produce: {errors} of {sent} records failed; first error: {firstError}");
            return 1;
        }
        return cancellationToken.IsCancellationRequested ? 130 : 0;
    }

    /// <summary>Uppercase letters, as Kafka's tool sends, so the bytes are not trivially compressible to nothing.</summary>
    internal static byte[] RandomPayload(int size)
    {
        var payload = new byte[size];
        var random = new Random(42);
        for (int i = 0; i < payload.Length; i++) payload[i] = (byte)('A' + random.Next(26));
        return payload;
    }

    private static async Task PrintProgressAsync(AckStats stats, TextWriter output, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PerfReport.ProgressInterval);
        long last = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                long now = Stopwatch.GetTimestamp();
                var (count, bytes, avgMs, maxMs) = stats.TakeWindow();
                await output.WriteLineAsync(PerfReport.Progress("sent", count, bytes, Stopwatch.GetElapsedTime(last, now).TotalSeconds, avgMs, maxMs));
                last = now;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Acknowledgements as they arrive (on the producer's sender thread), read by the progress printer.</summary>
    private sealed class AckStats
    {
        private readonly Lock _lock = new();
        private readonly LatencyHistogram _all = new();
        private long _acked, _bytes, _errors;
        private string? _firstError;
        private long _windowCount, _windowBytes, _windowSumMicros, _windowMaxMicros;

        public void Completed(long sendStart, int size, DeliveryReport report)
        {
            long micros = (long)Stopwatch.GetElapsedTime(sendStart).TotalMicroseconds;
            lock (_lock)
            {
                if (!report.IsSuccess)
                {
                    if (_errors++ == 0) _firstError = report.Error!.Message;
                    return;
                }
                _all.Record(micros);
                _acked++;
                _bytes += size;
                _windowCount++;
                _windowBytes += size;
                _windowSumMicros += micros;
                if (micros > _windowMaxMicros) _windowMaxMicros = micros;
            }
        }

        public (long Count, long Bytes, double AvgMs, double MaxMs) TakeWindow()
        {
            lock (_lock)
            {
                var result = (_windowCount, _windowBytes, _windowCount == 0 ? 0 : _windowSumMicros / 1000.0 / _windowCount, _windowMaxMicros / 1000.0);
                _windowCount = _windowBytes = _windowSumMicros = _windowMaxMicros = 0;
                return result;
            }
        }

        public (long Acked, long Bytes, long Errors, string? FirstError, LatencyHistogram Histogram) Totals()
        {
            lock (_lock) return (_acked, _bytes, _errors, _firstError, _all);
        }
    }
}
