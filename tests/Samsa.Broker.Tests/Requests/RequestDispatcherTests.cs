using System.Buffers;
using System.Net;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.Requests;

public class RequestDispatcherTests
{
    private static readonly ConnectionInfo Connection = new("conn-test", "PLAINTEXT", "PLAINTEXT", new IPEndPoint(IPAddress.Loopback, 5555), null);

    private static async Task<(RequestContext Context, ApiResponse Response)> DispatchAsync(RequestDispatcher dispatcher, byte[] frameWithSize)
    {
        var frame = frameWithSize.AsMemory(4);
        var header = RequestDispatcher.ReadHeader(frame, new ClientIdCache());
        var context = new RequestContext(Connection, (ApiKey)header.ApiKey, header.ApiVersion, header.CorrelationId, header.ClientId, CancellationToken.None);
        return (context, await dispatcher.DispatchAsync(context, frame[header.BodyOffset..]));
    }

    private static ApiVersionsResponse ReadApiVersions(RequestContext context, ApiResponse response)
    {
        var output = new ArrayBufferWriter<byte>();
        short version = response.Version >= 0 ? response.Version : context.ApiVersion;
        RequestDispatcher.WriteResponse(output, context, response.Message!, version);
        var reader = new KafkaReader(output.WrittenMemory);
        Assert.Equal(output.WrittenCount - 4, reader.ReadInt32());
        Assert.Equal(context.CorrelationId, reader.ReadInt32()); // ApiVersions: response header v0 at every version
        return ApiVersionsResponse.Read(ref reader, version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ApiVersions_answers_every_version_with_the_registry(short version)
    {
        var dispatcher = new RequestDispatcher(new ApiHandlerRegistry([]));
        var request = new ApiVersionsRequest { ClientSoftwareName = "samsa-test", ClientSoftwareVersion = "1.0" };
        var (context, response) = await DispatchAsync(dispatcher, KafkaWireClient.EncodeRequest(request, ApiKey.ApiVersions, version, 42, "client-1"));
        Assert.Equal("client-1", context.ClientId);
        Assert.Equal(42, context.CorrelationId);
        var body = ReadApiVersions(context, response);
        Assert.Equal(0, body.ErrorCode);
        var api = Assert.Single(body.ApiKeys);
        Assert.Equal((short)ApiKey.ApiVersions, api.ApiKey);
        Assert.Equal(0, api.MinVersion);
        Assert.Equal(4, api.MaxVersion);
    }

    [Fact]
    public async Task A_newer_ApiVersions_version_gets_unsupported_version_in_a_v0_answer()
    {
        var dispatcher = new RequestDispatcher(new ApiHandlerRegistry([]));
        // v9 is unknown; its body may be anything, only the header is read (KIP-511).
        var frame = KafkaWireClient.EncodeFrame((short)ApiKey.ApiVersions, 9, 7, "future-client", flexibleHeader: true, [1, 2, 3]);
        var (context, response) = await DispatchAsync(dispatcher, frame);
        Assert.Equal(0, response.Version);
        var body = ReadApiVersions(context, response);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, body.ErrorCode);
        var api = Assert.Single(body.ApiKeys);
        Assert.Equal((4, (short)0), (api.MaxVersion, api.MinVersion));
    }

    [Theory]
    [InlineData("", "1.0")]
    [InlineData("bad name", "1.0")]
    [InlineData("-leading", "1.0")]
    [InlineData("ok", "trailing.")]
    public async Task ApiVersions_v3_with_bad_software_name_or_version_is_invalid_request(string name, string version)
    {
        var dispatcher = new RequestDispatcher(new ApiHandlerRegistry([]));
        var request = new ApiVersionsRequest { ClientSoftwareName = name, ClientSoftwareVersion = version };
        var (context, response) = await DispatchAsync(dispatcher, KafkaWireClient.EncodeRequest(request, ApiKey.ApiVersions, 3, 1));
        Assert.Equal((short)ErrorCode.InvalidRequest, ReadApiVersions(context, response).ErrorCode);
    }

    [Fact]
    public void Unknown_api_keys_are_rejected_at_the_header()
    {
        var frame = KafkaWireClient.EncodeFrame(999, 0, 1, "x", false, []);
        var e = Assert.Throws<RejectedRequestException>(() => RequestDispatcher.ReadHeader(frame.AsMemory(4), new ClientIdCache()));
        Assert.Contains("999", e.Message);
    }

    [Fact]
    public async Task Known_but_unserved_apis_and_versions_are_rejected()
    {
        var dispatcher = new RequestDispatcher(new ApiHandlerRegistry([]));
        var frame = KafkaWireClient.EncodeFrame((short)ApiKey.Produce, 9, 1, "x", true, []);
        var e = await Assert.ThrowsAsync<RejectedRequestException>(async () => await DispatchAsync(dispatcher, frame));
        Assert.Contains("Produce", e.Message);
    }

    [Fact]
    public void A_truncated_header_is_a_protocol_error()
    {
        byte[] frame = [0, 18, 0, 3, 0, 0];
        Assert.ThrowsAny<KafkaProtocolException>(() => RequestDispatcher.ReadHeader(frame, new ClientIdCache()));
    }

    [Fact]
    public void The_client_id_string_is_reused_while_it_does_not_change()
    {
        var cache = new ClientIdCache();
        var a = RequestDispatcher.ReadHeader(KafkaWireClient.EncodeFrame(18, 0, 1, "same", false, []).AsMemory(4), cache).ClientId;
        var b = RequestDispatcher.ReadHeader(KafkaWireClient.EncodeFrame(18, 0, 2, "same", false, []).AsMemory(4), cache).ClientId;
        var c = RequestDispatcher.ReadHeader(KafkaWireClient.EncodeFrame(18, 0, 3, null, false, []).AsMemory(4), cache).ClientId;
        Assert.Same(a, b);
        Assert.Null(c);
    }
}
