using Samsa.Client;

// A round trip through a Kafka-compatible broker: create a topic, produce keyed records with
// headers (compressed), read them back in a consumer group, commit, and print a summary.
// Usage: Samsa.Client.AotSample <bootstrap.servers> [topic] [count]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Samsa.Client.AotSample <bootstrap.servers> [topic] [count]");
    return 2;
}
var bootstrap = args[0];
var topic = args.Length > 1 ? args[1] : $"aot-sample-{Guid.NewGuid():N}";
var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100;

await using (var admin = new AdminClient(new AdminConfig { BootstrapServers = bootstrap }))
{
    try
    {
        await admin.CreateTopicsAsync([new NewTopic(topic, 3, 1)]);
    }
    catch (AdminException e) when (e.ErrorCode == Samsa.Protocol.ErrorCode.TopicAlreadyExists)
    {
    }
}

await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = bootstrap, CompressionType = CompressionType.Zstd }))
{
    var sends = new List<Task<RecordMetadata>>();
    for (var i = 0; i < count; i++)
    {
        sends.Add(producer.ProduceAsync(topic, new Message<string, string>
        {
            Key = $"key-{i % 10}",
            Value = $"value-{i}",
            Headers = new Headers().Add("index", BitConverter.GetBytes(i)),
        }));
    }
    await Task.WhenAll(sends);
    Console.WriteLine($"produced {count} records to {topic}");
}

var consumerConfig = new ConsumerConfig
{
    BootstrapServers = bootstrap,
    GroupId = $"{topic}-group",
    AutoOffsetReset = AutoOffsetReset.Earliest,
    EnableAutoCommit = false,
};
await using (var consumer = new Consumer<string, string>(consumerConfig))
{
    consumer.Subscribe(topic);
    var seen = new HashSet<string>();
    var deadline = DateTime.UtcNow.AddSeconds(60);
    while (seen.Count < count && DateTime.UtcNow < deadline)
    {
        foreach (var record in consumer.Poll(TimeSpan.FromSeconds(1)))
        {
            if (record.Value is not null) seen.Add(record.Value);
        }
    }
    consumer.CommitSync();
    Console.WriteLine($"consumed {seen.Count} records");
    if (seen.Count != count) return 1;
}
Console.WriteLine("ok");
return 0;
