using System.Buffers.Binary;
using System.Net.Sockets;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Server.Tests;

/// <summary>
/// Bad input closes only the connection it came on (logged once) while other connections keep
/// being answered and the broker stays up.
/// </summary>
public class BadInputTests
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private static byte[] ApiVersionsFrame(int correlationId) =>
        KafkaWireClient.EncodeRequest(new ApiVersionsRequest { ClientSoftwareName = "ok", ClientSoftwareVersion = "1" }, ApiKey.ApiVersions, 3, correlationId);

    public static TheoryData<string, byte[]> BadFrames()
    {
        var sizeOnly2GiB = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(sizeOnly2GiB, int.MaxValue);
        var negative = new byte[] { 0xFF, 0xFF, 0xFF, 0xF0 };
        var garbage = new byte[64];
        new Random(5).NextBytes(garbage);
        garbage[0] = 0; // a plausible size so the garbage body is read and parsed
        garbage[1] = 0;
        garbage[2] = 0;
        garbage[3] = 60;
        var truncatedHeader = new byte[] { 0, 0, 0, 3, 0, 18, 0 };
        var badClientIdLength = KafkaWireClient.EncodeFrame(18, 3, 1, "abc", true, []);
        BinaryPrimitives.WriteInt16BigEndian(badClientIdLength.AsSpan(12), 300);
        return new TheoryData<string, byte[]>
        {
            { "garbage", garbage },
            { "2 GiB size prefix", sizeOnly2GiB },
            { "negative size prefix", negative },
            { "truncated header", truncatedHeader },
            { "client id longer than the frame", badClientIdLength },
            { "unknown api key", KafkaWireClient.EncodeFrame(1234, 0, 1, "x", false, []) },
            { "api not served", KafkaWireClient.EncodeFrame((short)ApiKey.Produce, 99, 1, "x", true, []) },
            { "negative version", KafkaWireClient.EncodeFrame((short)ApiKey.ApiVersions, -1, 1, "x", false, []) },
            { "ApiVersions v3 with a truncated body", KafkaWireClient.EncodeFrame((short)ApiKey.ApiVersions, 3, 1, "x", true, [5, 65]) },
        };
    }

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task Bad_input_closes_that_connection_while_another_keeps_being_answered(string name, byte[] bytes)
    {
        await using var node = await SamsaProcess.StartAsync();
        await using var good = await KafkaWireClient.ConnectAsync(node);
        using var stop = new CancellationTokenSource();
        int answered = 0;
        var steady = Task.Run(async () =>
        {
            int id = 1;
            while (!stop.IsCancellationRequested || answered < 5)
            {
                await good.SendRawAsync(ApiVersionsFrame(id));
                var (correlationId, response) = await good.ReceiveAsync<ApiVersionsResponse>(3);
                Assert.Equal(id, correlationId);
                Assert.Equal(0, response.ErrorCode);
                id++;
                Interlocked.Increment(ref answered);
            }
        });

        await using (var bad = await KafkaWireClient.ConnectAsync(node))
        {
            await bad.SendRawAsync(bytes);
            Assert.True(await bad.WaitForCloseAsync(CloseTimeout), $"{name}: the connection was not closed");
        }
        await node.WaitForOutputAsync(l => l.Contains("Closing connection", StringComparison.Ordinal), CloseTimeout);

        await stop.CancelAsync();
        await steady;
        Assert.False(node.HasExited);
        Assert.Single(node.OutputLines, l => l.Contains("Closing connection", StringComparison.Ordinal));
        Assert.DoesNotContain(node.OutputLines, l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_frame_cut_off_by_the_client_is_logged_once_and_the_broker_stays_up()
    {
        await using var node = await SamsaProcess.StartAsync();
        var frame = ApiVersionsFrame(1);
        await using (var bad = await KafkaWireClient.ConnectAsync(node))
        {
            await bad.SendRawAsync(frame.AsMemory(0, frame.Length - 3));
        }
        await node.WaitForOutputAsync("closed in the middle of a request", CloseTimeout);
        await using var good = await KafkaWireClient.ConnectAsync(node);
        var response = await good.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        Assert.Equal(0, response.ErrorCode);
    }

    [Fact]
    public async Task A_frame_above_socket_request_max_bytes_closes_the_connection()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["socket.request.max.bytes"] = "100";
        await using var node = await SamsaProcess.StartAsync(options);
        await using (var small = await KafkaWireClient.ConnectAsync(node))
        {
            var ok = await small.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "a", ClientSoftwareVersion = "1" }, 3);
            Assert.Equal(0, ok.ErrorCode);
        }
        await using var big = await KafkaWireClient.ConnectAsync(node);
        var request = new ApiVersionsRequest { ClientSoftwareName = new string('a', 150), ClientSoftwareVersion = "1" };
        await big.SendRawAsync(KafkaWireClient.EncodeRequest(request, ApiKey.ApiVersions, 3, 1));
        Assert.True(await big.WaitForCloseAsync(CloseTimeout));
        await node.WaitForOutputAsync("socket.request.max.bytes is 100", CloseTimeout);
    }

    [Fact]
    public async Task Max_connections_refuses_connections_over_the_limit()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["max.connections"] = "2";
        await using var node = await SamsaProcess.StartAsync(options);
        var request = new ApiVersionsRequest { ClientSoftwareName = "a", ClientSoftwareVersion = "1" };
        await using var first = await KafkaWireClient.ConnectAsync(node);
        await using var second = await KafkaWireClient.ConnectAsync(node);
        await first.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(request, 3);
        await second.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(request, 3);

        Assert.True(await IsRefusedAsync(node), "a third connection was served");
        await node.WaitForOutputAsync("max.connections (2) reached", CloseTimeout);

        await first.DisposeAsync();
        // The slot frees once the broker has seen the close; retry until then.
        var deadline = DateTime.UtcNow + CloseTimeout;
        while (true)
        {
            try
            {
                await using var again = await KafkaWireClient.ConnectAsync(node);
                var response = await again.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(request, 3);
                Assert.Equal(0, response.ErrorCode);
                break;
            }
            catch (Exception e) when (e is IOException or SocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_connections_max_idle_ms()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["connections.max.idle.ms"] = "300";
        await using var node = await SamsaProcess.StartAsync(options);
        await using var client = await KafkaWireClient.ConnectAsync(node);
        var response = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        Assert.Equal(0, response.ErrorCode);
        Assert.True(await client.WaitForCloseAsync(CloseTimeout), "the idle connection stayed open");
    }

    /// <summary>A refused connection is reset right after accept: the connect itself may fail, or the first read sees the close.</summary>
    private static async Task<bool> IsRefusedAsync(SamsaProcess node)
    {
        try
        {
            await using var client = await KafkaWireClient.ConnectAsync(node);
            return await client.WaitForCloseAsync(CloseTimeout);
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
