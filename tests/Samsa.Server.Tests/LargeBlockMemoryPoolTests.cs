using Microsoft.Extensions.DependencyInjection;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Protocol.Messages;
using Samsa.Server.Network;
using Samsa.TestSupport;

namespace Samsa.Server.Tests;

public class LargeBlockMemoryPoolTests
{
    [Fact]
    public void A_rented_block_holds_a_whole_receive_and_is_reused_after_return()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent(4096);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, first.Memory.Length);
        first.Dispose();
        Assert.Equal(1, pool.Retained);

        var second = pool.Rent();
        Assert.Same(first, second);
        Assert.Equal(1, pool.Allocated);
        second.Dispose();
    }

    [Fact]
    public void Returning_a_block_twice_does_not_hand_it_out_twice()
    {
        using var pool = new LargeBlockMemoryPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        Assert.Equal(1, pool.Retained);
        var a = pool.Rent();
        var b = pool.Rent();
        Assert.NotSame(a, b);
    }

    [Fact]
    public void Idle_blocks_beyond_the_limit_are_left_to_the_collector()
    {
        using var pool = new LargeBlockMemoryPool();
        var blocks = new List<IDisposable>();
        for (int i = 0; i < LargeBlockMemoryPool.MaxRetained + 5; i++) blocks.Add(pool.Rent());
        foreach (var b in blocks) b.Dispose();
        Assert.Equal(LargeBlockMemoryPool.MaxRetained, pool.Retained);
    }

    [Fact]
    public void A_request_larger_than_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public async Task The_kafka_listener_receives_into_the_large_blocks()
    {
        using var dir = new TempDirectory();
        int controller = FreePort.Next();
        var config = BrokerConfig.Create(new Dictionary<string, string>
        {
            ["process.roles"] = "broker,controller",
            ["node.id"] = "1",
            ["controller.quorum.voters"] = $"1@127.0.0.1:{controller}",
            ["listeners"] = $"PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:{controller}",
            ["controller.listener.names"] = "CONTROLLER",
            ["http.listeners"] = "",
            ["log.dirs"] = dir.Combine("data"),
        });
        await using var server = SamsaServer.Create(config, new BrokerIdentity("test-cluster", 1));
        await server.StartAsync();
        var factory = server.Services.GetRequiredService<LargeBlockMemoryPoolFactory>();
        long before = factory.Allocated;

        await using (var client = await KafkaWireClient.ConnectAsync("127.0.0.1", Assert.Single(server.KafkaEndpoints).Port))
        {
            var response = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(
                new ApiVersionsRequest { ClientSoftwareName = "t", ClientSoftwareVersion = "1" }, 3);
            Assert.Equal(0, response.ErrorCode);
        }

        Assert.True(factory.Allocated > before, "the connection's pipes took no block from the large-block pool");
        await server.StopAsync();
    }
}
