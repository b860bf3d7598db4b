using System.Buffers.Binary;
using System.Diagnostics;
using Samsa.Client;

namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// <c>samsa perf e2e</c>: a consumer positioned at the end of every partition, then a producer at a
/// fixed --throughput (default 1000/s, linger.ms 0 unless given) whose values start with this run's id and the send time; each
/// record's latency is its consume time minus its send time (one process, one monotonic clock).
/// Records of other runs are skipped.
/// </summary>
internal static class EndToEndPerf
{
    private const int HeaderSize = 16;

    public static async Task<int> RunAsync(PerfOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        long runId = Random.Shared.NextInt64();
        var props = PerfCommand.ProducerProperties(options);
        // As Kafka's end-to-end latency tool: no linger unless asked, or every record waits linger.ms (5) first.
        props.TryAdd("linger.ms", "0");
        var producerConfig = new ProducerConfig(props);
        double rate = options.Throughput > 0 ? options.Throughput : 1000;

        await using var producer = new Producer<byte[]?, byte[]>(producerConfig, Serializers.ByteArray!, Serializers.ByteArray, new StderrLoggerFactory());
        // Metadata first (which also creates the topic where the broker auto-creates), so the consumer
        // finds the partitions and the first record's latency is not a metadata lookup.
        await producer.GetPartitionCountAsync(options.Topic, cancellationToken);
        await using var consumer = await ConsumePerf.OpenAsync(options with { Group = null }, fromEnd: true, StampDeserializer.Instance, cancellationToken);
        var payload = ProducePerf.RandomPayload(Math.Max(options.RecordSize, HeaderSize));
        BinaryPrimitives.WriteInt64BigEndian(payload, runId);
        var message = new Message<byte[]?, byte[]> { Value = payload };

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var histogram = new LatencyHistogram();
        var received = new StrongBox(0);
        var consuming = Task.Run(() => ConsumeAsync(consumer, runId, options, histogram, received, output, stop.Token), CancellationToken.None);

        var start = Stopwatch.GetTimestamp();
        var throttle = new Throttle(rate);
        long failures = 0;
        string? firstError = null;
        for (long sent = 0; sent < options.NumRecords && !cancellationToken.IsCancellationRequested && !consuming.IsCompleted; sent++)
        {
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(8), Stopwatch.GetTimestamp());
            producer.Produce(options.Topic, message, report =>
            {
                if (!report.IsSuccess && Interlocked.Increment(ref failures) == 1) firstError = report.Error!.Message;
            });
            throttle.WaitFor(sent + 1, cancellationToken);
        }
        await producer.FlushAsync(cancellationToken);
        bool complete = await consuming;
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        long count;
        lock (histogram) count = histogram.Count;
        await output.WriteLineAsync(PerfReport.Summary("received", count, count * payload.Length, seconds, histogram));
        if (options.PrintMetrics)
        {
            foreach (var line in PerfReport.ProcessMetrics(count, 0)) await output.WriteLineAsync(line);
        }
        if (failures > 0) await Console.Error.WriteLineAsync($"perf e2e: {failures} sends failed; first error: {firstError}");
        if (cancellationToken.IsCancellationRequested) return 130;
        return complete && failures == 0 ? 0 : 1;
    }

    private static async Task<bool> ConsumeAsync(Consumer<Ignore?, Stamp> consumer, long runId, PerfOptions options, LatencyHistogram histogram,
        StrongBox received, TextWriter output, CancellationToken cancellationToken)
    {
        long lastSeen = Stopwatch.GetTimestamp(), lastProgress = lastSeen;
        long windowCount = 0, windowSum = 0, windowMax = 0;
        var idleLimit = TimeSpan.FromMilliseconds(options.TimeoutMs);
        while (received.Value < options.NumRecords && !cancellationToken.IsCancellationRequested)
        {
            var records = await consumer.PollAsync(TimeSpan.FromMilliseconds(50), cancellationToken);
            long now = Stopwatch.GetTimestamp();
            if (records.Count > 0) lastSeen = now;
            lock (histogram)
            {
                for (int i = 0; i < records.Count; i++)
                {
                    var stamp = records[i].Value;
                    if (stamp.RunId != runId) continue;
                    long micros = (long)Stopwatch.GetElapsedTime(stamp.SentAt, now).TotalMicroseconds;
                    histogram.Record(micros);
                    received.Value++;
                    windowCount++;
                    windowSum += micros;
                    if (micros > windowMax) windowMax = micros;
                }
            }
            if (Stopwatch.GetElapsedTime(lastSeen, now) > idleLimit)
            {
                await Console.Error.WriteLineAsync($"perf e2e: no record for {options.TimeoutMs} ms; stopping at {received.Value} of {options.NumRecords}.");
                return false;
            }
            if (Stopwatch.GetElapsedTime(lastProgress, now) >= PerfReport.ProgressInterval)
            {
                await output.WriteLineAsync(PerfReport.Progress("received", windowCount, 0, Stopwatch.GetElapsedTime(lastProgress, now).TotalSeconds,
                    windowCount == 0 ? 0 : windowSum / 1000.0 / windowCount, windowMax / 1000.0));
                lastProgress = now;
                windowCount = windowSum = windowMax = 0;
            }
        }
        return received.Value >= options.NumRecords;
    }

    private sealed class StrongBox(long value)
    {
        public long Value = value;
    }

    internal readonly record struct Stamp(long RunId, long SentAt);

    /// <summary>Reads the run id and send time at the start of the value; other values get run id 0.</summary>
    private sealed class StampDeserializer : IDeserializer<Stamp>
    {
        public static readonly StampDeserializer Instance = new();

        public Stamp Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull || data.Length < HeaderSize ? default
            : new Stamp(BinaryPrimitives.ReadInt64BigEndian(data), BinaryPrimitives.ReadInt64BigEndian(data[8..]));
    }
}
