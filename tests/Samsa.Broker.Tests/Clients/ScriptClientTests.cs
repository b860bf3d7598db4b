using System.Text;
using System.Text.Json;
using Samsa.Protocol.Partitioning;

namespace Samsa.Broker.Tests.Clients;

/// <summary>kafka-python (Debian python3-kafka) and kafkajs (tests/node) against a real broker process.</summary>
public sealed class ScriptClientTests : IClassFixture<BrokerFixture>
{
    private const string Python = "/usr/bin/python3";
    private readonly BrokerFixture _broker;

    public ScriptClientTests(BrokerFixture broker) => _broker = broker;

    private sealed record Acked(string Key, int Partition, long Offset);

    private sealed record PyRecord(string? Key, string Value, List<List<string>> Headers, int Partition, long Offset, long Timestamp);

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    [Fact]
    public async Task Kafka_python_produces_and_consumes_keys_and_headers_on_murmur2_partitions()
    {
        const int count = 500;
        string topic = BrokerFixture.NewTopic("py");
        string script = ExternalTool.Script("kafka_python_client.py");

        ExternalTool.Result produced = await ExternalTool.RunAsync(Python, [script, "produce", _broker.BootstrapServers, topic, $"{count}"], TimeSpan.FromMinutes(2));
        Assert.True(produced.ExitCode == 0, produced.Stderr);
        Acked[] acked = [.. produced.Lines.Select(l => JsonSerializer.Deserialize<Acked>(l, Json)!)];
        ExternalTool.Result consumed = await ExternalTool.RunAsync(Python, [script, "consume", _broker.BootstrapServers, topic, $"{count}"], TimeSpan.FromMinutes(2));
        Assert.True(consumed.ExitCode == 0, consumed.Stderr);
        PyRecord[] records = [.. consumed.Lines.Select(l => JsonSerializer.Deserialize<PyRecord>(l, Json)!)];

        Assert.Equal(count, acked.Length);
        foreach (Acked a in acked)
        {
            Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(a.Key), BrokerFixture.Partitions), a.Partition);
        }
        Assert.Equal(count, records.Length);
        var ackedByKey = acked.ToDictionary(a => a.Key);
        foreach (PyRecord r in records)
        {
            string i = r.Key!["py-key-".Length..];
            Assert.Equal($"py-value-{i}", Encoding.UTF8.GetString(Convert.FromBase64String(r.Value)));
            Assert.Equal([["h", $"hv-{i}"]], r.Headers);
            Assert.Equal((ackedByKey[r.Key].Partition, ackedByKey[r.Key].Offset), (r.Partition, r.Offset));
        }
    }

    [Fact]
    public async Task Kafkajs_produces_keys_and_headers_on_murmur2_partitions()
    {
        const int count = 200;
        string topic = BrokerFixture.NewTopic("js");
        string nodeDir = Path.Combine(ExternalTool.RepoRoot, "tests", "node");

        ExternalTool.Result produced = await ExternalTool.RunAsync("node", [ExternalTool.Script("kafkajs_produce.js"), _broker.BootstrapServers, topic, $"{count}"],
            TimeSpan.FromMinutes(2), environment: new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(nodeDir, "node_modules") });
        Assert.True(produced.ExitCode == 0, produced.Stderr);
        Acked[] acked = [.. produced.Lines.Select(l => JsonSerializer.Deserialize<Acked>(l, Json)!)];
        List<KcatRecord> records = await Kcat.ConsumeAllAsync(_broker.BootstrapServers, topic);

        Assert.Equal(count, acked.Length);
        foreach (Acked a in acked)
        {
            Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(a.Key), BrokerFixture.Partitions), a.Partition);
        }
        Assert.Equal(count, records.Count);
        var ackedByKey = acked.ToDictionary(a => a.Key);
        foreach (KcatRecord r in records)
        {
            string i = r.Key!["js-key-".Length..];
            Assert.Equal($"js-value-{i}", r.Payload);
            Assert.Equal(["h", $"hv-{i}"], r.Headers);
            Assert.Equal((ackedByKey[r.Key].Partition, ackedByKey[r.Key].Offset), (r.Partition, r.Offset));
        }
    }
}
