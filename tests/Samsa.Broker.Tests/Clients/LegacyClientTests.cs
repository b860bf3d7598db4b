using System.Text;
using System.Text.Json;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Partitioning;
using Samsa.Protocol.Records;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Clients that speak only magic 0/1 message sets (produce v0-2, fetch v0-3) against a real broker
/// process: kafka-python pinned to 0.9 (produce/fetch v1, magic 0) and 0.10.0 (v2, magic 1), and
/// kcat with broker.version.fallback, each reading records written by old and modern clients.
/// </summary>
public sealed class LegacyClientTests : IClassFixture<BrokerFixture>
{
    private const string Python = "/usr/bin/python3";
    private const long FirstTimestamp = 1_700_000_000_000;
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private readonly BrokerFixture _broker;

    public LegacyClientTests(BrokerFixture broker) => _broker = broker;

    private sealed record Acked(string Key, int Partition, long Offset);

    private sealed record PyRecord(string? Key, string? Value, int Partition, long Offset, long? Timestamp, int? TimestampType);

    private static string Script => ExternalTool.Script("kafka_python_legacy.py");

    private async Task<Acked[]> ProduceAsync(string topic, int count, string api, string codec, string prefix)
    {
        ExternalTool.Result r = await ExternalTool.RunAsync(Python, [Script, "produce", _broker.BootstrapServers, topic, $"{count}", api, codec, prefix], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.Stderr);
        return [.. r.Lines.Select(l => JsonSerializer.Deserialize<Acked>(l, Json)!)];
    }

    private async Task<PyRecord[]> ConsumeAsync(string topic, int count, string api, int maxPartitionFetchBytes = 1 << 20)
    {
        ExternalTool.Result r = await ExternalTool.RunAsync(Python,
            [Script, "consume", _broker.BootstrapServers, topic, $"{count}", api, $"{maxPartitionFetchBytes}"], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.Stderr);
        return [.. r.Lines.Select(l => JsonSerializer.Deserialize<PyRecord>(l, Json)!)];
    }

    /// <summary>Every acked record read back once with its key, value, partition (murmur2) and offset.</summary>
    private static void AssertAllRead(string prefix, Acked[] acked, PyRecord[] records, int count)
    {
        Assert.Equal(count, acked.Length);
        Assert.Equal(count, records.Length);
        var ackedByKey = acked.ToDictionary(a => a.Key);
        foreach (Acked a in acked)
        {
            Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(a.Key), BrokerFixture.Partitions), a.Partition);
        }
        Assert.Equal(count, records.Select(r => r.Key).Distinct().Count());
        foreach (PyRecord r in records)
        {
            string i = r.Key![$"{prefix}-key-".Length..];
            Assert.Equal($"{prefix}-value-{i}", Encoding.UTF8.GetString(Convert.FromBase64String(r.Value!)));
            Assert.Equal((ackedByKey[r.Key].Partition, ackedByKey[r.Key].Offset), (r.Partition, r.Offset));
        }
    }

    [Theory]
    [InlineData("0.9", "none")]
    [InlineData("0.9", "gzip")]
    [InlineData("0.9", "snappy")]
    [InlineData("0.9", "lz4")]
    [InlineData("0.10.0", "none")]
    [InlineData("0.10.0", "gzip")]
    [InlineData("0.10.0", "snappy")]
    [InlineData("0.10.0", "lz4")]
    public async Task Old_kafka_python_produces_and_consumes_keyed_message_sets(string api, string codec)
    {
        const int count = 300;
        string topic = BrokerFixture.NewTopic($"legacy-{codec}");
        Acked[] acked = await ProduceAsync(topic, count, api, codec, "old");
        PyRecord[] records = await ConsumeAsync(topic, count, api);

        AssertAllRead("old", acked, records, count);
        foreach (PyRecord r in records)
        {
            if (api == "0.9")
            {
                Assert.Null(r.Timestamp); // magic 0 has no timestamps
            }
            else
            {
                Assert.Equal(FirstTimestamp + int.Parse(r.Key!["old-key-".Length..], System.Globalization.CultureInfo.InvariantCulture), r.Timestamp);
                Assert.Equal(0, r.TimestampType); // CreateTime
            }
        }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Records_from_a_modern_client_are_down_converted_for_old_consumers(string codec)
    {
        const int count = 300;
        string topic = BrokerFixture.NewTopic($"modern-{codec}");
        Acked[] acked = await ProduceAsync(topic, count, "auto", codec, "new");

        PyRecord[] magic0 = await ConsumeAsync(topic, count, "0.9");
        PyRecord[] magic1 = await ConsumeAsync(topic, count, "0.10.0");
        PyRecord[] modern = await ConsumeAsync(topic, count, "auto");

        AssertAllRead("new", acked, magic0, count);
        AssertAllRead("new", acked, magic1, count);
        AssertAllRead("new", acked, modern, count);
        Assert.All(magic0, r => Assert.Null(r.Timestamp));
        Assert.All(magic1, r => Assert.Equal(FirstTimestamp + int.Parse(r.Key!["new-key-".Length..], System.Globalization.CultureInfo.InvariantCulture), r.Timestamp));
    }

    [Theory]
    [InlineData("0.8.2.2", "gzip")]
    [InlineData("0.9.0", "lz4")]
    [InlineData("0.9.0", "gzip")]
    [InlineData("0.9.0", "snappy")]
    [InlineData("0.10.0", "lz4")]
    [InlineData("0.10.0", "none")]
    public async Task Kcat_with_an_old_broker_version_fallback_produces_and_consumes(string fallback, string codec)
    {
        const int count = 1000;
        string topic = BrokerFixture.NewTopic($"kcat-old-{codec}");
        string[] old = ["-X", "api.version.request=false", "-X", $"broker.version.fallback={fallback}"];
        await Kcat.ProduceAsync(_broker.BootstrapServers, topic, Enumerable.Range(0, count).Select(i => $"k{i}:v{i}"), ["-z", codec, "-X", "partitioner=murmur2_random", .. old]);

        ExternalTool.Result r = await ExternalTool.RunAsync("kcat",
            ["-C", "-b", _broker.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k=%s@%p:%o\n", .. old], TimeSpan.FromMinutes(2));
        Assert.True(r.ExitCode == 0, r.Stderr);

        string[] lines = r.Lines;
        Assert.Equal(count, lines.Length);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"k{i}=v{i}").Order(), lines.Select(l => l[..l.IndexOf('@')]).Order());
        foreach (string line in lines)
        {
            string key = line[..line.IndexOf('=')];
            int partition = int.Parse(line[(line.IndexOf('@') + 1)..line.IndexOf(':')], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(key), BrokerFixture.Partitions), partition);
        }
    }

    [Theory]
    [InlineData("0.9")]
    [InlineData("0.10.0")]
    public async Task Old_consumers_progress_with_a_max_partition_fetch_bytes_below_one_batch(string api)
    {
        const int count = 400;
        string topic = BrokerFixture.NewTopic("legacy-small");
        Acked[] acked = await ProduceAsync(topic, count, "auto", "none", "small");

        // 200 bytes hold one or two converted messages of these records; each fetch still returns a whole batch.
        AssertAllRead("small", acked, await ConsumeAsync(topic, count, api, maxPartitionFetchBytes: 200), count);
    }

    [Fact]
    public async Task A_LogAppendTime_topic_gives_magic_1_consumers_the_broker_time()
    {
        const int count = 100;
        string topic = BrokerFixture.NewTopic("legacy-lat");
        using (Confluent.Kafka.IAdminClient admin = new Confluent.Kafka.AdminClientBuilder(
            new Confluent.Kafka.AdminClientConfig { BootstrapServers = _broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification
            {
                Name = topic,
                NumPartitions = BrokerFixture.Partitions,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string> { ["message.timestamp.type"] = "LogAppendTime" },
            }]);
        }
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Acked[] acked = await ProduceAsync(topic, count, "0.10.0", "gzip", "lat");
        long after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        PyRecord[] magic1 = await ConsumeAsync(topic, count, "0.10.0");
        AssertAllRead("lat", acked, magic1, count);
        Assert.All(magic1, r =>
        {
            Assert.Equal(1, r.TimestampType);
            Assert.InRange(r.Timestamp!.Value, before - 1000, after + 1000);
        });
        PyRecord[] magic0 = await ConsumeAsync(topic, count, "0.9");
        AssertAllRead("lat", acked, magic0, count);
        Assert.All(magic0, r => Assert.Null(r.Timestamp));
    }

    [Fact]
    public async Task Fetch_v3_stays_within_max_bytes_once_converted_records_outgrow_the_stored_ones()
    {
        string topic = BrokerFixture.NewTopic("legacy-max");
        await ProduceAsync(topic, 1, "0.10.0", "none", "seed"); // creates the topic
        int seeded = Murmur2.Partition(Encoding.UTF8.GetBytes("seed-key-0"), BrokerFixture.Partitions);
        int[] partitions = [.. Enumerable.Range(0, BrokerFixture.Partitions).Where(p => p != seeded).Take(2)];

        // 100 one-byte records: about 1 KB as a magic 2 batch, about 3.6 KB as magic 1 messages.
        using var builder = new RecordBatchBuilder();
        for (int i = 0; i < 100; i++)
        {
            builder.Append(FirstTimestamp + i, "k"u8, "v"u8);
        }
        byte[] batch = builder.Build().ToArray();
        await using KafkaWireClient client = await KafkaWireClient.ConnectAsync(_broker.Broker);
        foreach (int p in partitions)
        {
            var produce = new ProduceRequest { Acks = 1, TimeoutMs = 10_000 };
            produce.TopicData.Add(new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = p, Records = batch.ToArray() }],
            });
            ProduceResponse produced = await client.RoundTripAsync<ProduceRequest, ProduceResponse>(produce, 3);
            Assert.Equal(0, produced.Responses[0].PartitionResponses[0].ErrorCode);
        }

        int maxBytes = 2 * batch.Length + 10; // both stored batches fit, their conversions do not
        int[] v4 = await FetchCountsAsync(client, topic, partitions, 4, maxBytes, RecordCount);
        int[] v3 = await FetchCountsAsync(client, topic, partitions, 3, maxBytes, LegacyCount);
        int[] v3Unlimited = await FetchCountsAsync(client, topic, partitions, 3, int.MaxValue, LegacyCount);

        Assert.Equal([100, 100], v4);
        Assert.Equal([100, 0], v3);
        Assert.Equal([100, 100], v3Unlimited);
    }

    private static async Task<int[]> FetchCountsAsync(KafkaWireClient client, string topic, int[] partitions, short version, int maxBytes, Func<ReadOnlyMemory<byte>, int> count)
    {
        var request = new FetchRequest { ReplicaId = -1, MaxWaitMs = 0, MinBytes = 0, MaxBytes = maxBytes };
        var fetchTopic = new FetchRequest.FetchTopic { Topic = topic };
        foreach (int p in partitions)
        {
            fetchTopic.Partitions.Add(new FetchRequest.FetchPartition { Partition = p, FetchOffset = 0, PartitionMaxBytes = 1 << 20 });
        }
        request.Topics.Add(fetchTopic);
        FetchResponse response = await client.RoundTripAsync<FetchRequest, FetchResponse>(request, version);
        FetchResponse.PartitionData[] data = [.. response.Responses.Single().Partitions];
        Assert.All(data, d => Assert.Equal(0, d.ErrorCode));
        return [.. data.Select(d => count(d.Records ?? ReadOnlyMemory<byte>.Empty))];
    }

    private static int RecordCount(ReadOnlyMemory<byte> records)
    {
        int n = 0;
        foreach (RecordBatch b in RecordBatch.Enumerate(records.Span))
        {
            n += b.RecordCount;
        }
        return n;
    }

    private static int LegacyCount(ReadOnlyMemory<byte> records)
    {
        int n = 0;
        foreach (LegacyMessage m in new LegacyMessageEnumerator(records.Span))
        {
            Assert.Equal(LegacyMessageLayout.MagicV1, m.Magic);
            n++;
        }
        return n;
    }

    [Fact]
    public async Task ApiVersions_advertises_every_produce_and_fetch_version_of_the_schemas()
    {
        await using KafkaWireClient client = await KafkaWireClient.ConnectAsync(_broker.Broker);
        ApiVersionsResponse response = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(
            new ApiVersionsRequest { ClientSoftwareName = "samsa-tests", ClientSoftwareVersion = "1.0" }, 3);
        foreach (ApiKey key in new[] { ApiKey.Produce, ApiKey.Fetch })
        {
            Assert.True(ApiVersionsTable.TryGetRange(key, out ApiVersionRange schema));
            ApiVersionsResponse.ApiVersion api = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)key);
            Assert.Equal((schema.MinVersion, schema.MaxVersion), (api.MinVersion, api.MaxVersion));
            Assert.Equal(0, api.MinVersion);
        }
    }

    [Fact]
    public async Task Produce_v2_with_a_bad_crc_gets_CORRUPT_MESSAGE_and_with_a_record_batch_INVALID_RECORD()
    {
        string topic = BrokerFixture.NewTopic("legacy-bad");
        await ProduceAsync(topic, 1, "0.10.0", "none", "seed"); // creates the topic

        using var builder = new LegacyMessageSetBuilder(1);
        builder.Append(0, FirstTimestamp, "k"u8, true, "v"u8, true);
        byte[] corrupt = builder.Build().ToArray();
        corrupt[^1] ^= 0xFF;
        using var batchBuilder = new RecordBatchBuilder();
        batchBuilder.Append(FirstTimestamp, "k"u8, "v"u8);
        byte[] batch = batchBuilder.Build().ToArray();

        await using KafkaWireClient client = await KafkaWireClient.ConnectAsync(_broker.Broker);
        Assert.Equal(ErrorCode.CorruptMessage, await ProduceV2Async(client, topic, corrupt));
        Assert.Equal(ErrorCode.InvalidRecord, await ProduceV2Async(client, topic, batch));
        Assert.Equal(ErrorCode.InvalidRecord, await ProduceV2Async(client, topic, []));
    }

    private static async Task<ErrorCode> ProduceV2Async(KafkaWireClient client, string topic, byte[] records)
    {
        var request = new ProduceRequest { Acks = 1, TimeoutMs = 10_000 };
        var data = new ProduceRequest.TopicProduceData { Name = topic };
        for (int p = 0; p < BrokerFixture.Partitions; p++)
        {
            data.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = p, Records = records });
        }
        request.TopicData.Add(data);
        ProduceResponse response = await client.RoundTripAsync<ProduceRequest, ProduceResponse>(request, 2);
        ErrorCode[] errors = [.. response.Responses.SelectMany(t => t.PartitionResponses).Select(p => (ErrorCode)p.ErrorCode).Distinct()];
        return Assert.Single(errors);
    }
}
