using System.Diagnostics;
using Samsa.Client;

namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// <c>samsa perf consume</c>: reads --num-records records from the start of a topic (every partition
/// assigned, or through --group) and reports throughput from the first record to the last, plus the
/// time it took to get the first one. Values are only measured, never copied out.
/// </summary>
internal static class ConsumePerf
{
    public static async Task<int> RunAsync(PerfOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var start = Stopwatch.GetTimestamp();
        await using var consumer = await OpenAsync(options, fromEnd: false, SizeDeserializer.Instance, cancellationToken);

        long consumed = 0, bytes = 0, windowCount = 0, windowBytes = 0;
        long firstRecord = 0, lastRecord = 0, lastProgress = Stopwatch.GetTimestamp(), lastSeen = Stopwatch.GetTimestamp();
        var idleLimit = TimeSpan.FromMilliseconds(options.TimeoutMs);
        while (consumed + windowCount < options.NumRecords && !cancellationToken.IsCancellationRequested)
        {
            var records = await consumer.PollAsync(TimeSpan.FromMilliseconds(100), cancellationToken);
            long now = Stopwatch.GetTimestamp();
            if (records.Count > 0)
            {
                if (firstRecord == 0) firstRecord = now;
                lastRecord = lastSeen = now;
                for (int i = 0; i < records.Count; i++)
                {
                    windowBytes += records[i].Value;
                }
                windowCount += records.Count;
            }
            else if (Stopwatch.GetElapsedTime(lastSeen, now) > idleLimit)
            {
                await Console.Error.WriteLineAsync($"perf consume: no record for {options.TimeoutMs} ms; stopping at {consumed + windowCount} of {options.NumRecords}.");
                break;
            }
            if (Stopwatch.GetElapsedTime(lastProgress, now) >= PerfReport.ProgressInterval)
            {
                await output.WriteLineAsync(PerfReport.Throughput("consumed", windowCount, windowBytes, Stopwatch.GetElapsedTime(lastProgress, now).TotalSeconds));
                lastProgress = now;
                consumed += windowCount;
                bytes += windowBytes;
                windowCount = windowBytes = 0;
            }
        }
        consumed += windowCount;
        bytes += windowBytes;

        // Rates run from the first record to the last: joining and the first fetch are reported apart.
        double seconds = firstRecord == 0 ? 0 : Stopwatch.GetElapsedTime(firstRecord, lastRecord).TotalSeconds;
        double firstMs = firstRecord == 0 ? 0 : Stopwatch.GetElapsedTime(start, firstRecord).TotalMilliseconds;
        await output.WriteLineAsync(PerfReport.Throughput("consumed", consumed, bytes, seconds).TrimEnd('.')
            + $", {PerfCommand.Format(bytes / 1048576.0, "F2")} MB in {PerfCommand.Format(seconds, "F2")} s, first record after {PerfCommand.Format(firstMs, "F0")} ms.");
        if (options.PrintMetrics)
        {
            foreach (var line in PerfReport.ProcessMetrics(consumed, allocatedBefore)) await output.WriteLineAsync(line);
        }
        if (cancellationToken.IsCancellationRequested) return 130;
        return consumed >= options.NumRecords ? 0 : 1;
    }

    /// <summary>
    /// A consumer on every partition of the topic (from the start, or from the end with
    /// <paramref name="fromEnd"/>, positions resolved before returning), or subscribed with --group.
    /// </summary>
    internal static async Task<Consumer<Ignore?, T>> OpenAsync<T>(PerfOptions options, bool fromEnd, IDeserializer<T> valueDeserializer,
        CancellationToken cancellationToken)
    {
        var props = new Dictionary<string, string>(options.ConsumerProps, StringComparer.Ordinal);
        props["bootstrap.servers"] = PerfCommand.Bootstrap(options, props);
        if (options.Group is not null) props["group.id"] = options.Group;
        props.TryAdd("auto.offset.reset", fromEnd ? "latest" : "earliest");
        if (!props.ContainsKey("group.id")) props["enable.auto.commit"] = "false";
        var config = new ConsumerConfig(props);
        var consumer = new Consumer<Ignore?, T>(config, Deserializers.Ignore, valueDeserializer, new StderrLoggerFactory());
        try
        {
            if (config.GroupId is not null)
            {
                consumer.Subscribe(options.Topic);
                return consumer;
            }
            var admin = new AdminConfig { BootstrapServers = props["bootstrap.servers"] };
            IReadOnlyList<TopicDescription> topics;
            using (var client = new AdminClient(admin, new StderrLoggerFactory()))
            {
                topics = await client.DescribeTopicsAsync([options.Topic], cancellationToken);
            }
            var partitions = new List<TopicPartition>();
            foreach (var p in topics[0].Partitions) partitions.Add(new TopicPartition(options.Topic, p.Partition));
            consumer.Assign(partitions);
            if (fromEnd) consumer.SeekToEnd(partitions);
            else consumer.SeekToBeginning(partitions);
            foreach (var tp in partitions) consumer.Position(tp);
            return consumer;
        }
        catch
        {
            await consumer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads nothing but the value's length.</summary>
    private sealed class SizeDeserializer : IDeserializer<long>
    {
        public static readonly SizeDeserializer Instance = new();

        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => isNull ? 0 : data.Length;
    }
}
