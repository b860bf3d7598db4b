using System.Diagnostics;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Server.Tests;

/// <summary>ApiVersions over TCP against a real samsa process, with the generated messages and with kcat.</summary>
public class ApiVersionsTests : IClassFixture<NodeFixture>
{
    private readonly NodeFixture _node;

    public ApiVersionsTests(NodeFixture node) => _node = node;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ApiVersions_round_trips_at_every_version(short version)
    {
        await using var client = await KafkaWireClient.ConnectAsync(_node.Node);
        var response = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(
            new ApiVersionsRequest { ClientSoftwareName = "samsa-tests", ClientSoftwareVersion = "1.0" }, version);
        Assert.Equal(0, response.ErrorCode);
        var self = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions);
        Assert.Equal(0, self.MinVersion);
        Assert.Equal(4, self.MaxVersion);
        foreach (var api in response.ApiKeys)
        {
            Assert.True(ApiVersionsTable.TryGetRange((ApiKey)api.ApiKey, out var schema), $"advertised key {api.ApiKey} has no schema");
            Assert.InRange(api.MinVersion, schema.MinVersion, api.MaxVersion);
            Assert.InRange(api.MaxVersion, api.MinVersion, schema.MaxVersion);
        }
    }

    [Fact]
    public async Task An_unknown_ApiVersions_version_gets_the_supported_range_in_a_v0_answer()
    {
        await using var client = await KafkaWireClient.ConnectAsync(_node.Node);
        await client.SendRawAsync(KafkaWireClient.EncodeFrame((short)ApiKey.ApiVersions, 127, 5, "future", flexibleHeader: true, [0, 0, 0]));
        var (correlationId, response) = await client.ReceiveAsync<ApiVersionsResponse>(0);
        Assert.Equal(5, correlationId);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        var api = Assert.Single(response.ApiKeys);
        Assert.Equal(((short)18, (short)0, (short)4), (api.ApiKey, api.MinVersion, api.MaxVersion));

        // The connection stays usable: the client retries with a version both know.
        var retry = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "x", ClientSoftwareVersion = "1" }, 4);
        Assert.Equal(0, retry.ErrorCode);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var client = await KafkaWireClient.ConnectAsync(_node.Node);
        var batch = new List<byte>();
        for (int i = 0; i < 200; i++)
        {
            batch.AddRange(KafkaWireClient.EncodeRequest(new ApiVersionsRequest { ClientSoftwareName = "p", ClientSoftwareVersion = "1" }, ApiKey.ApiVersions, (short)(i % 5), 1000 + i));
        }
        await client.SendRawAsync(batch.ToArray());
        for (int i = 0; i < 200; i++)
        {
            var (correlationId, response) = await client.ReceiveAsync<ApiVersionsResponse>((short)(i % 5));
            Assert.Equal(1000 + i, correlationId);
            Assert.Equal(0, response.ErrorCode);
        }
    }

    [Fact]
    public async Task Kcat_connects_and_negotiates_ApiVersions()
    {
        // kcat -L needs Metadata too; what is asserted here is the ApiVersions exchange librdkafka logs.
        var psi = new ProcessStartInfo("kcat", ["-b", _node.Node.BootstrapServers, "-L", "-m", "5", "-d", "protocol"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var kcat = Process.Start(psi)!;
        var stdout = kcat.StandardOutput.ReadToEndAsync();
        var stderr = kcat.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await kcat.WaitForExitAsync(cts.Token);
        string output = await stdout + await stderr;
        Assert.Contains("Received ApiVersionResponse", output);
        Assert.DoesNotContain("ApiVersionRequest failed", output);
    }
}
