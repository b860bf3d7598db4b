using System.CommandLine;
using System.Globalization;

namespace Samsa.Cli.Tools.Perf;

/// <summary>
/// <c>samsa perf produce|consume|e2e</c>: load tools in the manner of Kafka's producer/consumer
/// perf tests and end-to-end latency tool, on Samsa.Client. A progress line every 5 s on stdout,
/// then one summary line (see <see cref="PerfReport"/>).
/// </summary>
public static class PerfCommand
{
    public static Command Create()
    {
        var perf = new Command("perf", "Load tests: produce, consume, end-to-end latency (like kafka-producer-perf-test / kafka-consumer-perf-test).");
        perf.Subcommands.Add(Build("produce", "Send records as fast as asked and report throughput and send-to-ack latency.", ProducePerf.RunAsync));
        perf.Subcommands.Add(Build("consume", "Read records of a topic from the start and report throughput.", ConsumePerf.RunAsync));
        perf.Subcommands.Add(Build("e2e", "Produce at a fixed rate and report produce-to-consume latency.", EndToEndPerf.RunAsync));
        return perf;
    }

    private static Command Build(string name, string description, Func<PerfOptions, TextWriter, CancellationToken, Task<int>> run)
    {
        var topic = new Option<string>("--topic") { Description = "REQUIRED: The topic to use.", Required = true };
        var numRecords = new Option<long>("--num-records", "--messages") { Description = "REQUIRED: How many records.", Required = true };
        var recordSize = new Option<int>("--record-size") { Description = "Record value size in bytes (default 100).", DefaultValueFactory = _ => 100 };
        var throughput = new Option<double>("--throughput") { Description = "Target records/sec; -1 for no limit (e2e default 1000).", DefaultValueFactory = _ => -1 };
        var bootstrap = new Option<string>("--bootstrap-server", "--broker-list") { Description = "The Kafka server(s) to connect to (or bootstrap.servers in the props)." };
        var producerProps = new Option<string[]>("--producer-props") { Description = "Producer configs name=value ...", AllowMultipleArgumentsPerToken = true };
        var consumerProps = new Option<string[]>("--consumer-props", "--consumer-property") { Description = "Consumer configs name=value ...", AllowMultipleArgumentsPerToken = true };
        var group = new Option<string>("--group") { Description = "Consume in this consumer group (default: no group, all partitions assigned)." };
        var timeout = new Option<int>("--timeout") { Description = "Consumer: stop after this many ms without a record (default 10000).", DefaultValueFactory = _ => 10000 };
        var printMetrics = new Option<bool>("--print-metrics") { Description = "Print the client process's CPU, GC and allocation figures at the end." };

        var command = new Command(name, description);
        foreach (var o in new Option[] { topic, numRecords, recordSize, throughput, bootstrap, producerProps, consumerProps, group, timeout, printMetrics })
        {
            command.Options.Add(o);
        }
        ToolRunner.SetAction(command, $"perf {name}: ", async (parse, cancellationToken) =>
        {
            var options = new PerfOptions
            {
                Topic = parse.GetValue(topic)!,
                NumRecords = parse.GetValue(numRecords),
                RecordSize = parse.GetValue(recordSize),
                Throughput = parse.GetValue(throughput),
                BootstrapServers = parse.GetValue(bootstrap),
                ProducerProps = KafkaProperties.ParsePairs(parse.GetValue(producerProps), "--producer-props"),
                ConsumerProps = KafkaProperties.ParsePairs(parse.GetValue(consumerProps), "--consumer-props"),
                Group = parse.GetValue(group),
                TimeoutMs = parse.GetValue(timeout),
                PrintMetrics = parse.GetValue(printMetrics),
            };
            Validate(options);
            using var signal = new ShutdownSignal(cancellationToken);
            return await run(options, Console.Out, signal.Token);
        });
        return command;
    }

    internal static void Validate(PerfOptions options)
    {
        if (options.NumRecords <= 0) throw new ToolException("--num-records must be positive.");
        if (options.RecordSize < 0) throw new ToolException("--record-size must not be negative.");
        if (string.IsNullOrWhiteSpace(options.Topic)) throw new ToolException("--topic is required.");
    }

    /// <summary>bootstrap.servers: --bootstrap-server wins over the props.</summary>
    internal static string Bootstrap(PerfOptions options, Dictionary<string, string> props) =>
        !string.IsNullOrWhiteSpace(options.BootstrapServers) ? options.BootstrapServers
        : props.TryGetValue("bootstrap.servers", out var b) && !string.IsNullOrWhiteSpace(b) ? b
        : throw new ToolException("Missing --bootstrap-server (or bootstrap.servers in the props).");

    /// <summary>
    /// The producer's properties: bootstrap.servers filled in, and idempotence off when acks is not all
    /// and idempotence was not asked for (what the Java client does when idempotence is only a default).
    /// </summary>
    internal static Dictionary<string, string> ProducerProperties(PerfOptions options)
    {
        var props = new Dictionary<string, string>(options.ProducerProps, StringComparer.Ordinal);
        props["bootstrap.servers"] = Bootstrap(options, props);
        if (props.TryGetValue("acks", out var acks) && acks.Trim() is not ("all" or "-1") && !props.ContainsKey("enable.idempotence"))
            props["enable.idempotence"] = "false";
        return props;
    }

    internal static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
