using System.Buffers.Binary;
using Confluent.Kafka;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;
using KafkaError = Samsa.Protocol.ErrorCode;

namespace Samsa.Server.Tests;

/// <summary>
/// The bad-input check with a real client: garbage, a truncated frame, a 2 GiB size prefix,
/// an unknown API key and unsupported versions arrive on a side connection while a Confluent.Kafka
/// producer (idempotent, acks=all) keeps producing on its own; the broker stays up, every delivery
/// succeeds and every record reads back.
/// </summary>
public class BadInputUnderLoadTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>A bad input and whether the broker closes the connection (otherwise it answers with an error).</summary>
    private sealed record BadInput(string Name, byte[] Bytes, bool Closes);

    private static List<BadInput> BadInputs()
    {
        var garbage = new byte[256];
        new Random(11).NextBytes(garbage);
        BinaryPrimitives.WriteInt32BigEndian(garbage, garbage.Length - 4); // a plausible size, so the body is parsed
        var twoGiB = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(twoGiB, int.MaxValue);
        byte[] apiVersions = KafkaWireClient.EncodeRequest(new ApiVersionsRequest { ClientSoftwareName = "bad", ClientSoftwareVersion = "1" }, ApiKey.ApiVersions, 3, 7);
        return
        [
            new("garbage", garbage, Closes: true),
            // The client goes away with part of a frame sent.
            new("truncated frame", apiVersions[..^5], Closes: false),
            new("2 GiB size prefix", twoGiB, Closes: true),
            new("unknown api key", KafkaWireClient.EncodeFrame(4321, 0, 8, "bad", false, []), Closes: true),
            new("unsupported Produce version", KafkaWireClient.EncodeFrame((short)ApiKey.Produce, 999, 9, "bad", true, [1, 2, 3]), Closes: true),
            // ApiVersions answers an unknown version with UNSUPPORTED_VERSION (KIP-511) and keeps the connection.
            new("unsupported ApiVersions version", KafkaWireClient.EncodeFrame((short)ApiKey.ApiVersions, 999, 10, "bad", true, []), Closes: false),
        ];
    }

    [Fact]
    public async Task A_producer_with_acks_all_sees_no_error_while_bad_input_arrives_on_another_connection()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["num.partitions"] = "1";
        await using var node = await SamsaProcess.StartAsync(options);
        const string topic = "steady";
        var errors = new List<string>();
        var config = new ProducerConfig
        {
            BootstrapServers = node.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 2,
        };
        using var producer = new ProducerBuilder<string, string>(config)
            .SetErrorHandler((_, e) => { lock (errors) errors.Add(e.ToString()); })
            .Build();

        using var stop = new CancellationTokenSource();
        int delivered = 0;
        var produced = new List<DeliveryResult<string, string>>();
        var steady = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i += 20)
            {
                var chunk = new Task<DeliveryResult<string, string>>[20];
                for (int j = 0; j < chunk.Length; j++)
                {
                    chunk[j] = producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i + j}", Value = $"v{i + j}" });
                }
                produced.AddRange(await Task.WhenAll(chunk)); // a failed delivery throws here and fails the test
                Volatile.Write(ref delivered, produced.Count);
            }
        });

        try
        {
            await WaitUntilAsync(() => Volatile.Read(ref delivered) >= 100 || steady.IsCompleted, "the producer to get going");
            foreach (var bad in BadInputs())
            {
                await using (var connection = await KafkaWireClient.ConnectAsync(node))
                {
                    await connection.SendRawAsync(bad.Bytes);
                    if (bad.Closes)
                    {
                        Assert.True(await connection.WaitForCloseAsync(Deadline), $"{bad.Name}: the connection was not closed");
                    }
                    else if (bad.Name.Contains("ApiVersions", StringComparison.Ordinal))
                    {
                        var (correlationId, response) = await connection.ReceiveAsync<ApiVersionsResponse>(0, Deadline);
                        Assert.Equal(10, correlationId);
                        Assert.Equal((short)KafkaError.UnsupportedVersion, response.ErrorCode);
                    }
                }
                // The producer keeps being served after each one.
                int before = Volatile.Read(ref delivered);
                await WaitUntilAsync(() => Volatile.Read(ref delivered) >= before + 40 || steady.IsCompleted, $"deliveries after {bad.Name}");
                Assert.False(node.HasExited, $"the broker exited after {bad.Name}");
            }
        }
        finally
        {
            // Never dispose the producer under the producing task.
            await stop.CancelAsync();
            await steady;
        }
        producer.Flush(Deadline);

        lock (errors) Assert.Empty(errors);
        Assert.All(produced, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        Assert.Equal(Enumerable.Range(0, produced.Count).Select(i => (long)i), produced.Select(r => r.Offset.Value).Order());

        var consumed = ReadAll(node.BootstrapServers, topic, produced.Count);
        Assert.Equal(produced.Count, consumed.Count);
        foreach (var r in produced)
        {
            Assert.Equal(r.Message.Value, consumed[r.Offset.Value]);
        }
        Assert.False(node.HasExited);
        await node.WaitForOutputAsync("closed in the middle of a request", Deadline);
        Assert.Equal(4, node.OutputLines.Count(l => l.Contains("Closing connection", StringComparison.Ordinal)));
        Assert.DoesNotContain(node.OutputLines, l => l.Contains("crit:", StringComparison.Ordinal));
    }

    private static Dictionary<long, string> ReadAll(string bootstrap, string topic, int count)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "unused-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        };
        using var consumer = new ConsumerBuilder<string, string>(config).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = new Dictionary<long, string>();
        var deadline = DateTime.UtcNow + Deadline;
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } r)
            {
                values[r.Offset.Value] = r.Message.Value;
            }
        }
        consumer.Close();
        return values;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
