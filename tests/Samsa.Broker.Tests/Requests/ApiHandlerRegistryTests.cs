using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Tests.Requests;

public class ApiHandlerRegistryTests
{
    private sealed class FakeHandler(ApiKey key, short min, short max) : IApiHandler
    {
        public ApiKey ApiKey => key;
        public short MinVersion => min;
        public short MaxVersion => max;
        public ValueTask<ApiResponse> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body) => ValueTask.FromResult(ApiResponse.None);
    }

    [Fact]
    public void ApiVersions_is_always_registered_with_its_schema_range()
    {
        var registry = new ApiHandlerRegistry([]);
        var only = Assert.Single(registry.Advertised);
        Assert.Equal(new ApiVersionRange(ApiKey.ApiVersions, 0, ApiVersionsResponse.HighestSupportedVersion), only);
    }

    [Fact]
    public void Advertised_range_is_the_handler_range_intersected_with_the_schema()
    {
        ApiVersionsTable.TryGetRange(ApiKey.Metadata, out var schema);
        var registry = new ApiHandlerRegistry([new FakeHandler(ApiKey.Metadata, -5, 999), new FakeHandler(ApiKey.Produce, 3, 5)]);
        Assert.Equal([ApiKey.Produce, ApiKey.Metadata, ApiKey.ApiVersions], registry.Advertised.Select(r => r.ApiKey));
        Assert.Equal(new ApiVersionRange(ApiKey.Metadata, schema.MinVersion, schema.MaxVersion), registry.Advertised[1]);
        Assert.Equal(new ApiVersionRange(ApiKey.Produce, 3, 5), registry.Advertised[0]);
        Assert.True(registry.TryGet((short)ApiKey.Produce, out _, out var produce));
        Assert.Equal(3, produce.MinVersion);
        Assert.False(registry.TryGet((short)ApiKey.Fetch, out _, out _));
        Assert.False(registry.TryGet(-1, out _, out _));
        Assert.False(registry.TryGet(short.MaxValue, out _, out _));
    }

    [Fact]
    public void Two_handlers_for_one_key_are_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ApiHandlerRegistry([new FakeHandler(ApiKey.Fetch, 0, 4), new FakeHandler(ApiKey.Fetch, 4, 12)]));
        Assert.Contains("Two handlers for Fetch", e.Message);
    }

    [Fact]
    public void A_handler_range_outside_the_schema_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new ApiHandlerRegistry([new FakeHandler(ApiKey.Fetch, 500, 600)]));
    }
}
