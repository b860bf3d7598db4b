using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Samsa.Cli.Tools.Perf;

// The Confluent.Kafka twin of `samsa perf`: same arguments, same measurements, same output lines.
if (args.Length == 0 || args[0] is not ("produce" or "consume" or "e2e"))
{
    Console.Error.WriteLine("usage: samsa-perf-confluent produce|consume|e2e --bootstrap-server H:P --topic T --num-records N [--record-size B] [--throughput R] [--producer-props k=v ...] [--consumer-props k=v ...] [--timeout MS]");
    return 2;
}
var options = Arguments.Parse(args.AsSpan(1));
return args[0] switch
{
    "produce" => Loads.Produce(options),
    "consume" => Loads.Consume(options),
    _ => Loads.EndToEnd(options),
};

internal static class Arguments
{
    public static PerfOptions Parse(ReadOnlySpan<string> args)
    {
        string? topic = null, bootstrap = null;
        long num = 0;
        int size = 100, timeout = 10000;
        double rate = -1;
        var producer = new Dictionary<string, string>(StringComparer.Ordinal);
        var consumer = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--topic": topic = args[++i]; break;
                case "--bootstrap-server": bootstrap = args[++i]; break;
                case "--num-records": num = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--record-size": size = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--throughput": rate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--timeout": timeout = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--producer-props":
                case "--consumer-props":
                    var target = args[i] == "--producer-props" ? producer : consumer;
                    while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        var pair = args[++i];
                        int eq = pair.IndexOf('=', StringComparison.Ordinal);
                        if (eq <= 0) throw new ArgumentException($"expected key=value, got '{pair}'");
                        target[pair[..eq]] = pair[(eq + 1)..];
                    }
                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        return new PerfOptions
        {
            Topic = topic ?? throw new ArgumentException("--topic is required"),
            BootstrapServers = bootstrap ?? throw new ArgumentException("--bootstrap-server is required"),
            NumRecords = num > 0 ? num : throw new ArgumentException("--num-records must be positive"),
            RecordSize = size,
            Throughput = rate,
            ProducerProps = producer,
            ConsumerProps = consumer,
            TimeoutMs = timeout,
        };
    }
}

internal static class Loads
{
    public static int Produce(PerfOptions options)
    {
        var config = new ProducerConfig(options.ProducerProps) { BootstrapServers = options.BootstrapServers };
        var payload = Payload(options.RecordSize);
        var histogram = new LatencyHistogram();
        long acked = 0, errors = 0;
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var throttle = new Throttle(options.Throughput);
        var start = Stopwatch.GetTimestamp();
        var lastProgress = start;
        long lastAcked = 0;
        for (long sent = 0; sent < options.NumRecords; sent++)
        {
            long sendStart = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    producer.Produce(options.Topic, new Message<Null, byte[]> { Value = payload }, report =>
                    {
                        long micros = (long)Stopwatch.GetElapsedTime(sendStart).TotalMicroseconds;
                        lock (histogram)
                        {
                            if (report.Error.IsError) { errors++; return; }
                            histogram.Record(micros);
                            acked++;
                        }
                    });
                    break;
                }
                catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(1));
                }
            }
            throttle.WaitFor(sent + 1, CancellationToken.None);
            if (Stopwatch.GetElapsedTime(lastProgress) >= PerfReport.ProgressInterval)
            {
                long now = Stopwatch.GetTimestamp();
                long a;
                lock (histogram) a = acked;
                Console.WriteLine(PerfReport.Throughput("sent", a - lastAcked, (a - lastAcked) * payload.Length, Stopwatch.GetElapsedTime(lastProgress, now).TotalSeconds));
                lastAcked = a;
                lastProgress = now;
            }
        }
        producer.Flush(TimeSpan.FromMinutes(2));
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        lock (histogram) Console.WriteLine(PerfReport.Summary("sent", acked, acked * payload.Length, seconds, histogram));
        return errors == 0 ? 0 : 1;
    }

    public static int Consume(PerfOptions options)
    {
        var start = Stopwatch.GetTimestamp();
        using var consumer = OpenConsumer(options, Offset.Beginning);
        long consumed = 0, bytes = 0, first = 0, last = 0, lastSeen = Stopwatch.GetTimestamp();
        while (consumed < options.NumRecords)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            long now = Stopwatch.GetTimestamp();
            if (result is null || result.IsPartitionEOF)
            {
                if (Stopwatch.GetElapsedTime(lastSeen, now).TotalMilliseconds > options.TimeoutMs) break;
                continue;
            }
            if (first == 0) first = now;
            last = lastSeen = now;
            consumed++;
            bytes += result.Message.Value?.Length ?? 0;
        }
        double seconds = first == 0 ? 0 : Stopwatch.GetElapsedTime(first, last).TotalSeconds;
        double firstMs = first == 0 ? 0 : Stopwatch.GetElapsedTime(start, first).TotalMilliseconds;
        Console.WriteLine(PerfReport.Throughput("consumed", consumed, bytes, seconds).TrimEnd('.')
            + string.Create(CultureInfo.InvariantCulture, $", {bytes / 1048576.0:F2} MB in {seconds:F2} s, first record after {firstMs:F0} ms."));
        return consumed >= options.NumRecords ? 0 : 1;
    }

    public static int EndToEnd(PerfOptions options)
    {
        long runId = Random.Shared.NextInt64();
        using var consumer = OpenConsumer(options, Offset.End);
        // As Kafka's end-to-end latency tool (and samsa perf e2e): no linger unless asked.
        var producerProps = new Dictionary<string, string>(options.ProducerProps);
        producerProps.TryAdd("linger.ms", "0");
        var config = new ProducerConfig(producerProps) { BootstrapServers = options.BootstrapServers };
        using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
        var payload = Payload(Math.Max(options.RecordSize, 16));
        BinaryPrimitives.WriteInt64BigEndian(payload, runId);
        var histogram = new LatencyHistogram();
        long received = 0;
        var consuming = Task.Run(() =>
        {
            long lastSeen = Stopwatch.GetTimestamp();
            while (Interlocked.Read(ref received) < options.NumRecords)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(50));
                long now = Stopwatch.GetTimestamp();
                if (result?.Message?.Value is not { Length: >= 16 } value)
                {
                    if (Stopwatch.GetElapsedTime(lastSeen, now).TotalMilliseconds > options.TimeoutMs) return false;
                    continue;
                }
                lastSeen = now;
                if (BinaryPrimitives.ReadInt64BigEndian(value) != runId) continue;
                long micros = (long)Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(8)), now).TotalMicroseconds;
                lock (histogram) histogram.Record(micros);
                Interlocked.Increment(ref received);
            }
            return true;
        });
        var throttle = new Throttle(options.Throughput > 0 ? options.Throughput : 1000);
        var start = Stopwatch.GetTimestamp();
        for (long sent = 0; sent < options.NumRecords && !consuming.IsCompleted; sent++)
        {
            // librdkafka copies the value when Produce is called, so one buffer is reused.
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(8), Stopwatch.GetTimestamp());
            producer.Produce(options.Topic, new Message<Null, byte[]> { Value = payload });
            throttle.WaitFor(sent + 1, CancellationToken.None);
        }
        producer.Flush(TimeSpan.FromMinutes(1));
        bool complete = consuming.GetAwaiter().GetResult();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        lock (histogram) Console.WriteLine(PerfReport.Summary("received", histogram.Count, histogram.Count * payload.Length, seconds, histogram));
        return complete ? 0 : 1;
    }

    private static IConsumer<Ignore, byte[]> OpenConsumer(PerfOptions options, Offset from)
    {
        var config = new ConsumerConfig(options.ConsumerProps)
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = "samsa-perf-confluent",
            EnableAutoCommit = false,
        };
        var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = options.BootstrapServers }).Build())
        {
            var metadata = admin.GetMetadata(options.Topic, TimeSpan.FromSeconds(30));
            var partitions = new List<TopicPartitionOffset>();
            foreach (var p in metadata.Topics[0].Partitions)
            {
                var tp = new TopicPartition(options.Topic, p.PartitionId);
                // librdkafka resolves "end" lazily; ask for the high watermark so records sent right after are not skipped.
                var offset = from == Offset.End ? consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(30)).High : from;
                partitions.Add(new TopicPartitionOffset(tp, offset));
            }
            consumer.Assign(partitions);
        }
        return consumer;
    }

    private static byte[] Payload(int size)
    {
        var payload = new byte[size];
        var random = new Random(42);
        for (int i = 0; i < payload.Length; i++) payload[i] = (byte)('A' + random.Next(26));
        return payload;
    }
}
