using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>
/// <c>samsa console-consumer</c> (kafka-console-consumer): prints records of a topic to standard
/// output through the DefaultMessageFormatter. Stops after --max-messages, after --timeout-ms
/// without a record, or on Ctrl-C/SIGTERM; then commits (when auto-commit is on), leaves its group
/// and prints <c>Processed a total of N messages</c> on stderr.
/// </summary>
internal static class ConsoleConsumerCommand
{
    private static readonly Option<string> s_bootstrap = ClientSetup.BootstrapServerOption();
    private static readonly Option<string> s_topic = new("--topic") { Description = "The topic to consume on." };
    private static readonly Option<string> s_include = new("--include", "--whitelist") { Description = "Regular expression of the topics to consume." };
    private static readonly Option<int?> s_partition = new("--partition") { Description = "The partition to consume from (no group management)." };
    private static readonly Option<string> s_offset = new("--offset") { Description = "With --partition: a non-negative offset, 'earliest' or 'latest' (default)." };
    private static readonly Option<bool> s_fromBeginning = new("--from-beginning") { Description = "Start with the earliest message when the group has no committed offset." };
    private static readonly Option<string> s_group = new("--group") { Description = "The consumer group id (default: a generated console-consumer-NNNNN)." };
    private static readonly Option<int?> s_maxMessages = new("--max-messages") { Description = "Exit after this many messages." };
    private static readonly Option<int?> s_timeoutMs = new("--timeout-ms") { Description = "Exit when no message arrived for this long." };
    private static readonly Option<string[]> s_consumerProperty = new("--consumer-property") { Description = "A consumer config name=value (repeatable)." };
    private static readonly Option<string> s_consumerConfig = new("--consumer.config") { Description = "Consumer config properties file." };
    private static readonly Option<string> s_formatter = new("--formatter") { Description = "kafka.tools.DefaultMessageFormatter (the default) or org.apache.kafka.tools.consumer.DefaultMessageFormatter." };
    private static readonly Option<string> s_formatterConfig = new("--formatter-config") { Description = "Properties file for the formatter." };
    private static readonly Option<string[]> s_property = new("--property") { Description = "Formatter settings: print.timestamp, print.key, print.value, print.partition, print.offset, print.headers, key.separator, line.separator, headers.separator, null.literal, key.deserializer, value.deserializer." };
    private static readonly Option<string> s_isolationLevel = new("--isolation-level") { Description = "read_committed or read_uncommitted (default)." };
    private static readonly Option<bool> s_skipOnError = new("--skip-message-on-error") { Description = "Skip a record that cannot be formatted instead of stopping." };
    private static readonly Option<string> s_keyDeserializer = new("--key-deserializer") { Description = "Kafka deserializer class for keys." };
    private static readonly Option<string> s_valueDeserializer = new("--value-deserializer") { Description = "Kafka deserializer class for values." };

    public static Command Create()
    {
        var command = new Command("console-consumer", "Print the records of a topic (kafka-console-consumer).");
        foreach (var o in new Option[] { s_bootstrap, s_topic, s_include, s_partition, s_offset, s_fromBeginning, s_group, s_maxMessages, s_timeoutMs,
            s_consumerProperty, s_consumerConfig, s_formatter, s_formatterConfig, s_property, s_isolationLevel, s_skipOnError, s_keyDeserializer, s_valueDeserializer })
        {
            command.Options.Add(o);
        }
        ToolRunner.SetAction(command, "ERROR ", RunAsync);
        return command;
    }

    /// <summary>Where to start reading with --partition: -2 earliest, -1 latest, else the offset.</summary>
    internal static long ParseOffset(string? value, bool fromBeginning)
    {
        if (value is null) return fromBeginning ? -2 : -1;
        if (value.Equals("earliest", StringComparison.OrdinalIgnoreCase)) return -2;
        if (value.Equals("latest", StringComparison.OrdinalIgnoreCase)) return -1;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long offset)) return offset;
        throw new ToolException($"The provided offset value '{value}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.");
    }

    /// <summary>The consumer properties as Kafka's console consumer builds them; also says whether the group was generated.</summary>
    internal static (Dictionary<string, string> Properties, bool GroupGenerated) ConsumerProperties(ParseResult parse, string bootstrap)
    {
        var props = parse.GetValue(s_consumerConfig) is { } file ? KafkaProperties.LoadFile(file) : new Dictionary<string, string>(StringComparer.Ordinal);
        var fileGroup = props.GetValueOrDefault("group.id");
        foreach (var (k, v) in KafkaProperties.ParsePairs(parse.GetValue(s_consumerProperty), "--consumer-property")) props[k] = v;
        var ids = new[] { parse.GetValue(s_group), props.GetValueOrDefault("group.id"), fileGroup }.Where(g => g is not null).Distinct().ToList();
        if (ids.Count > 1)
        {
            throw new ToolException("The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. "
                + $"Detected group ids: {string.Join(", ", ids.Select(i => $"'{i}'"))}");
        }
        bool generated = false;
        if (ids.Count == 1)
        {
            props["group.id"] = ids[0]!;
        }
        else
        {
            props["group.id"] = $"console-consumer-{Random.Shared.Next(100000).ToString(CultureInfo.InvariantCulture)}";
            generated = true;
            // The generated group is not meant to be used again: do not fill the coordinator with its offsets.
            props.TryAdd("enable.auto.commit", "false");
        }
        bool fromBeginning = parse.GetValue(s_fromBeginning);
        if (fromBeginning && props.TryGetValue("auto.offset.reset", out var reset) && !reset.Equals("earliest", StringComparison.OrdinalIgnoreCase))
            throw new ToolException($"Can't simultaneously specify --from-beginning and 'auto.offset.reset={reset}', to start from the beginning please use 'auto.offset.reset=earliest'");
        props["auto.offset.reset"] = fromBeginning ? "earliest" : props.GetValueOrDefault("auto.offset.reset", "latest");
        if (parse.GetValue(s_isolationLevel) is { } isolation) props["isolation.level"] = isolation;
        props.TryAdd("client.id", "console-consumer");
        props["bootstrap.servers"] = bootstrap;
        return (props, generated);
    }

    internal static DefaultMessageFormatter Formatter(ParseResult parse)
    {
        string formatterClass = parse.GetValue(s_formatter) ?? DefaultMessageFormatter.ClassNames[0];
        if (!DefaultMessageFormatter.ClassNames.Contains(formatterClass, StringComparer.Ordinal))
            throw new ToolException($"Formatter {formatterClass} is not supported; use {string.Join(" or ", DefaultMessageFormatter.ClassNames)}.");
        var props = parse.GetValue(s_formatterConfig) is { } file ? KafkaProperties.LoadFile(file) : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in KafkaProperties.ParsePairs(parse.GetValue(s_property), "--property")) props[k] = v;
        if (parse.GetValue(s_keyDeserializer) is { } kd) props["key.deserializer"] = kd;
        if (parse.GetValue(s_valueDeserializer) is { } vd) props["value.deserializer"] = vd;
        return new DefaultMessageFormatter(props);
    }

    /// <summary>Kafka's checks of the option combinations.</summary>
    internal static void Validate(ParseResult parse)
    {
        ClientSetup.RequireBootstrap(parse.GetValue(s_bootstrap));
        bool hasTopic = parse.GetValue(s_topic) is { Length: > 0 }, hasInclude = parse.GetValue(s_include) is { Length: > 0 };
        if (hasTopic == hasInclude) throw new ToolException("Exactly one of --include/--topic is required.");
        if (parse.GetValue(s_partition) is not null && !hasTopic) throw new ToolException("The topic is required when partition is specified.");
        if (parse.GetValue(s_offset) is not null && parse.GetValue(s_partition) is null) throw new ToolException("The partition is required when offset is specified.");
        if (parse.GetValue(s_offset) is not null && parse.GetValue(s_fromBeginning)) throw new ToolException("Options from-beginning and offset cannot be specified together.");
        if (parse.GetValue(s_partition) is not null && parse.GetValue(s_group) is not null) throw new ToolException("Options group and partition cannot be specified together.");
        if (parse.GetValue(s_partition) is < 0) throw new ToolException("The partition must be a non-negative number.");
        if (parse.GetValue(s_maxMessages) is < 0) throw new ToolException("--max-messages must be a non-negative number.");
        if (parse.GetValue(s_timeoutMs) is < 0) throw new ToolException("--timeout-ms must be a non-negative number.");
        if (hasTopic && TopicFilter.Illegal(parse.GetValue(s_topic)!) is { } illegal) throw new ToolException(illegal);
        ParseOffset(parse.GetValue(s_offset), parse.GetValue(s_fromBeginning));
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        Validate(parse);
        var formatter = Formatter(parse);
        var (props, _) = ConsumerProperties(parse, parse.GetValue(s_bootstrap)!);
        var config = new ConsumerConfig(props);
        int? maxMessages = parse.GetValue(s_maxMessages);
        int? timeoutMs = parse.GetValue(s_timeoutMs);
        bool skipOnError = parse.GetValue(s_skipOnError);

        using var signal = new ShutdownSignal(cancellationToken);
        var consumer = new Consumer<byte[]?, byte[]?>(config, Deserializers.ByteArray, Deserializers.ByteArray, new StderrLoggerFactory());
        long processed = 0;
        bool timedOut = false;
        var output = Console.OpenStandardOutput();
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            if (parse.GetValue(s_partition) is { } partition)
            {
                var tp = new TopicPartition(parse.GetValue(s_topic)!, partition);
                long start = ParseOffset(parse.GetValue(s_offset), parse.GetValue(s_fromBeginning));
                consumer.Assign([tp]);
                if (start == -2) consumer.SeekToBeginning([tp]);
                else if (start == -1) consumer.SeekToEnd([tp]);
                else consumer.Seek(new TopicPartitionOffset(tp, start));
            }
            else if (parse.GetValue(s_topic) is { Length: > 0 } topic)
            {
                consumer.Subscribe(topic);
            }
            else
            {
                consumer.Subscribe(new Regex(parse.GetValue(s_include)!, RegexOptions.CultureInvariant));
            }

            var sinceLast = Stopwatch.StartNew();
            while (!signal.IsRequested && (maxMessages is null || processed < maxMessages))
            {
                var wait = TimeSpan.FromMilliseconds(1000);
                if (timeoutMs is { } t)
                {
                    long left = t - sinceLast.ElapsedMilliseconds;
                    if (left <= 0)
                    {
                        timedOut = true;
                        break;
                    }
                    wait = TimeSpan.FromMilliseconds(Math.Min(left, 1000));
                }
                IReadOnlyList<ConsumeResult<byte[]?, byte[]?>> records;
                try
                {
                    records = await consumer.PollAsync(wait, signal.Token);
                }
                catch (OperationCanceledException) when (signal.IsRequested)
                {
                    break;
                }
                if (records.Count > 0) sinceLast.Restart();
                var rewound = new HashSet<TopicPartition>();
                foreach (var record in records)
                {
                    if (maxMessages is { } max && processed >= max)
                    {
                        // Fetched but not printed: the position (and so the commit on close) goes back to it.
                        if (rewound.Add(record.TopicPartition)) consumer.Seek(record.TopicPartitionOffset);
                        continue;
                    }
                    try
                    {
                        formatter.WriteTo(record, buffer);
                    }
                    catch (ToolException e) when (skipOnError)
                    {
                        await Console.Error.WriteLineAsync($"ERROR Error processing message, skipping this message: {e.Message}");
                        continue;
                    }
                    processed++;
                }
                if (buffer.WrittenCount > 0)
                {
                    await output.WriteAsync(buffer.WrittenMemory, CancellationToken.None);
                    await output.FlushAsync(CancellationToken.None);
                    buffer.ResetWrittenCount();
                }
            }
        }
        catch (IOException) when (!signal.IsRequested)
        {
            // stdout closed by the reader (e.g. `| head`): stop quietly, as Kafka does.
        }
        finally
        {
            if (buffer.WrittenCount > 0)
            {
                try { await output.WriteAsync(buffer.WrittenMemory, CancellationToken.None); } catch (IOException) { }
            }
            try { await output.FlushAsync(CancellationToken.None); } catch (IOException) { }
            // Commits (when auto-commit is on) and leaves the group, so the partitions move to the others at once.
            await consumer.CloseAsync(CancellationToken.None);
        }
        if (timedOut)
            await Console.Error.WriteLineAsync($"ERROR Error processing message, terminating consumer process: TimeoutException: no message for {timeoutMs} ms");
        await Console.Error.WriteLineAsync($"Processed a total of {processed} messages");
        return signal.IsRequested ? 130 : 0;
    }
}
