using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.TestSupport;

namespace Samsa.Server.Tests;

/// <summary>
/// acks=0 produce gets no answer, so a failure is signalled the way Kafka does it: the broker closes
/// that connection (the client then refreshes its metadata). Successful acks=0 produces keep it open.
/// </summary>
public class ProduceAcksZeroTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static ProduceRequest AcksZero(string topic, int partition)
    {
        byte[] batch;
        using (var b = new RecordBatchBuilder())
        {
            b.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "k"u8, "v"u8);
            batch = b.Build().ToArray();
        }
        var data = new ProduceRequest.TopicProduceData { Name = topic };
        data.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = partition, Records = batch });
        var request = new ProduceRequest { Acks = 0, TimeoutMs = 5000 };
        request.TopicData.Add(data);
        return request;
    }

    [Fact]
    public async Task A_failed_acks_0_produce_closes_the_connection_and_a_good_one_keeps_it()
    {
        await using var node = await SamsaProcess.StartAsync();
        await using var client = await KafkaWireClient.ConnectAsync(node);
        // Auto-creation (on by default) makes the topic, with one partition.
        var metadata = await client.RoundTripAsync<MetadataRequest, MetadataResponse>(
            new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "acks0" }], AllowAutoTopicCreation = true }, 9);
        Assert.Single(metadata.Topics);

        await client.SendAsync(AcksZero("acks0", 0), 9);
        var answered = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        Assert.Equal(0, answered.ErrorCode);

        await client.SendAsync(AcksZero("acks0", 7), 9); // no such partition
        Assert.True(await client.WaitForCloseAsync(Deadline), "the connection stayed open after a failed acks=0 produce");
        await node.WaitForOutputAsync(l => l.Contains("acks=0 produce failed (acks0-7: UnknownTopicOrPartition)", StringComparison.Ordinal), Deadline);
    }
}
