using System.CommandLine;
using System.Globalization;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>
/// <c>samsa console-producer</c> (kafka-console-producer): one record per line of standard input,
/// with a <c>&gt;</c> prompt when a person types at a terminal. Ends at end of input or on Ctrl-C,
/// after sending what was read.
/// </summary>
internal static class ConsoleProducerCommand
{
    private static readonly Option<string> s_bootstrap = ClientSetup.BootstrapServerOption();
    private static readonly Option<string> s_brokerList = new("--broker-list") { Description = "DEPRECATED, use --bootstrap-server instead." };
    private static readonly Option<string> s_topic = new("--topic") { Description = "REQUIRED: The topic to produce messages to." };
    private static readonly Option<string[]> s_producerProperty = new("--producer-property") { Description = "A producer config name=value (repeatable), e.g. acks=all." };
    private static readonly Option<string> s_producerConfig = new("--producer.config") { Description = "Producer config properties file (--producer-property wins)." };
    private static readonly Option<string[]> s_property = new("--property") { Description = "Line reader settings: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error." };
    private static readonly Option<string?> s_compression = new("--compression-codec") { Description = "none, gzip (when given without a value), snappy, lz4 or zstd.", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> s_sync = new("--sync") { Description = "Send each record synchronously, waiting for its acknowledgement." };
    private static readonly Option<string> s_acks = new("--request-required-acks") { Description = "acks for produce requests (default -1)." };
    private static readonly Option<int?> s_requestTimeout = new("--request-timeout-ms") { Description = "request.timeout.ms for produce requests." };
    private static readonly Option<int?> s_lingerMs = new("--timeout") { Description = "linger.ms: how long a record may wait for a batch (default 1000)." };
    private static readonly Option<int?> s_batchSize = new("--batch-size") { Description = "batch.size (default 16384)." };
    private static readonly Option<int?> s_retries = new("--message-send-max-retries") { Description = "retries." };
    private static readonly Option<int?> s_retryBackoff = new("--retry-backoff-ms") { Description = "retry.backoff.ms." };
    private static readonly Option<int?> s_maxBlock = new("--max-block-ms") { Description = "max.block.ms (default 60000)." };
    private static readonly Option<long?> s_maxMemory = new("--max-memory-bytes") { Description = "buffer.memory." };
    private static readonly Option<int?> s_metadataExpiry = new("--metadata-expiry-ms") { Description = "metadata.max.age.ms." };
    private static readonly Option<string> s_readerConfig = new("--reader-config") { Description = "Properties file of line reader settings (as --property)." };

    public static Command Create()
    {
        var command = new Command("console-producer", "Read lines from standard input and publish them to a topic (kafka-console-producer).");
        foreach (var o in new Option[] { s_bootstrap, s_brokerList, s_topic, s_producerProperty, s_producerConfig, s_property, s_compression, s_sync,
            s_acks, s_requestTimeout, s_lingerMs, s_batchSize, s_retries, s_retryBackoff, s_maxBlock, s_maxMemory, s_metadataExpiry, s_readerConfig })
        {
            command.Options.Add(o);
        }
        ToolRunner.SetAction(command, "ERROR ", RunAsync);
        return command;
    }

    /// <summary>The producer properties as Kafka's console producer builds them: file, --producer-property, then the tool's options.</summary>
    internal static Dictionary<string, string> ProducerProperties(ParseResult parse, string bootstrap)
    {
        var props = parse.GetValue(s_producerConfig) is { } file ? KafkaProperties.LoadFile(file) : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in KafkaProperties.ParsePairs(parse.GetValue(s_producerProperty), "--producer-property")) props[k] = v;
        props["bootstrap.servers"] = bootstrap;
        if (parse.GetResult(s_compression) is not null) props["compression.type"] = parse.GetValue(s_compression) ?? "gzip";
        props.TryAdd("client.id", "console-producer");
        // An option given explicitly wins; otherwise its default applies only when the properties lack the key.
        Merge(props, parse, s_lingerMs, "linger.ms", "1000");
        Merge(props, parse, s_acks, "acks", "-1");
        Merge(props, parse, s_requestTimeout, "request.timeout.ms", null);
        Merge(props, parse, s_batchSize, "batch.size", "16384");
        Merge(props, parse, s_retries, "retries", null);
        Merge(props, parse, s_retryBackoff, "retry.backoff.ms", null);
        Merge(props, parse, s_maxBlock, "max.block.ms", "60000");
        Merge(props, parse, s_maxMemory, "buffer.memory", null);
        Merge(props, parse, s_metadataExpiry, "metadata.max.age.ms", null);
        return props;
    }

    private static void Merge<T>(Dictionary<string, string> props, ParseResult parse, Option<T> option, string key, string? defaultValue)
    {
        if (parse.GetResult(option) is not null && parse.GetValue(option) is { } value)
            props[key] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        else if (defaultValue is not null) props.TryAdd(key, defaultValue);
    }

    internal static LineMessageReader Reader(ParseResult parse)
    {
        var props = parse.GetValue(s_readerConfig) is { } file ? KafkaProperties.LoadFile(file) : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in KafkaProperties.ParsePairs(parse.GetValue(s_property), "--property")) props[k] = v;
        return new LineMessageReader(props);
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string bootstrap = ClientSetup.RequireBootstrap(parse.GetValue(s_bootstrap) ?? parse.GetValue(s_brokerList));
        string topic = parse.GetValue(s_topic) is { Length: > 0 } t ? t : throw new ToolException("Missing required argument \"[topic]\"");
        if (TopicFilter.Illegal(topic) is { } illegal) throw new ToolException(illegal);
        var reader = Reader(parse);
        var config = new ProducerConfig(ProducerProperties(parse, bootstrap));
        bool sync = parse.GetValue(s_sync);

        using var signal = new ShutdownSignal(cancellationToken);
        var producer = new Producer<byte[], byte[]>(config, Serializers.ByteArray, Serializers.ByteArray, new StderrLoggerFactory());
        int failures = 0;
        try
        {
            bool prompt = !Console.IsInputRedirected;
            var stdin = Console.In;
            int lineNumber = 0;
            while (!signal.IsRequested)
            {
                if (prompt)
                {
                    Console.Out.Write('>');
                    Console.Out.Flush();
                }
                string? line;
                try
                {
                    // Console reads block; on a pool thread they cannot hold up Ctrl-C.
                    line = await Task.Run(stdin.ReadLine, CancellationToken.None).WaitAsync(signal.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                if (line is null) break;
                lineNumber++;
                var record = reader.Parse(line, lineNumber);
                var message = new Message<byte[], byte[]> { Key = record.Key!, Value = record.Value!, Headers = record.Headers };
                if (sync)
                {
                    try
                    {
                        await producer.ProduceAsync(topic, message, signal.Token);
                    }
                    catch (KafkaException e)
                    {
                        failures++;
                        ReportFailure(topic, record, e);
                    }
                }
                else
                {
                    producer.Produce(topic, message, report =>
                    {
                        if (report.IsSuccess) return;
                        Interlocked.Increment(ref failures);
                        ReportFailure(topic, record, report.Error!);
                    });
                }
            }
            if (prompt && signal.IsRequested) Console.Out.WriteLine();
        }
        finally
        {
            // Sends what was read before returning, within delivery.timeout.ms.
            await producer.DisposeAsync();
        }
        if (signal.IsRequested) return 130;
        return failures == 0 ? 0 : 1;
    }

    private static void ReportFailure(string topic, LineMessage record, Exception e)
    {
        string key = record.Key is null ? "null" : $"{record.Key.Length} bytes";
        string value = record.Value is null ? "null" : $"{record.Value.Length} bytes";
        Console.Error.WriteLine($"ERROR Error when sending message to topic {topic} with key: {key}, value: {value} with error: {ToolRunner.OneLine(e)}");
    }
}
