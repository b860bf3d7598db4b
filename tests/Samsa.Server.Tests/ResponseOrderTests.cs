using System.Buffers.Binary;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Server.Tests;

/// <summary>
/// The handler contract on a real connection (in process): handler calls of one connection never
/// overlap, deferred responses and no-response requests keep the order of everything else.
/// </summary>
public class ResponseOrderTests
{
    /// <summary>ListGroups stands in for any API: even correlation ids answer late, multiples of 3 not at all.</summary>
    private sealed class ScriptedHandler : ApiHandler<ListGroupsRequest>
    {
        private int _active;
        public int MaxConcurrent;
        public override short MinVersion => 0;
        public override short MaxVersion => 4;

        protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, ListGroupsRequest request)
        {
            int now = Interlocked.Increment(ref _active);
            MaxConcurrent = Math.Max(MaxConcurrent, now);
            await Task.Yield();
            Interlocked.Decrement(ref _active);
            if (context.CorrelationId % 3 == 0) return ApiResponse.None;
            var response = new ListGroupsResponse { ErrorCode = (short)(context.CorrelationId % 100) };
            if (context.CorrelationId % 2 == 0)
            {
                return ApiResponse.Later(AnswerLaterAsync(response, context.CancellationToken));
            }
            return ApiResponse.Of(response);
        }

        private static async Task<ApiResponse> AnswerLaterAsync(ListGroupsResponse response, CancellationToken cancellationToken)
        {
            await Task.Delay(50, cancellationToken);
            return ApiResponse.Of(response);
        }
    }

    [Fact]
    public async Task Responses_go_out_in_request_order_whatever_order_they_complete_in()
    {
        using var dir = new TempDirectory();
        var handler = new ScriptedHandler();
        var config = BrokerConfig.Create(new Dictionary<string, string>
        {
            ["process.roles"] = "broker,controller",
            ["node.id"] = "1",
            ["controller.quorum.voters"] = "1@127.0.0.1:1",
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:1",
            ["controller.listener.names"] = "CONTROLLER",
            ["http.listeners"] = "",
            ["log.dirs"] = dir.Combine("data"),
        });
        await using var server = SamsaServer.Create(config, new BrokerIdentity("c", 1), s =>
        {
            // Only ApiVersions (always there) and the scripted handler.
            s.RemoveAll<IApiHandler>();
            s.AddSingleton<IApiHandler>(handler);
        });
        await server.StartAsync();
        int port = server.KafkaEndpoints[0].Port;

        await using var client = await KafkaWireClient.ConnectAsync("127.0.0.1", port);
        var versions = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        var listGroups = Assert.Single(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.ListGroups);
        Assert.Equal((0, 4), (listGroups.MinVersion, listGroups.MaxVersion));

        var batch = new List<byte>();
        for (int id = 1; id <= 30; id++)
        {
            batch.AddRange(KafkaWireClient.EncodeRequest(new ListGroupsRequest(), ApiKey.ListGroups, 3, id));
        }
        await client.SendRawAsync(batch.ToArray());
        var expected = Enumerable.Range(1, 30).Where(id => id % 3 != 0).ToList();
        var received = new List<int>();
        foreach (int id in expected)
        {
            var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(frame);
            received.Add(BinaryPrimitives.ReadInt32BigEndian(frame));
        }
        Assert.Equal(expected, received);
        Assert.Equal(1, handler.MaxConcurrent);
        await server.StopAsync();
    }
}
