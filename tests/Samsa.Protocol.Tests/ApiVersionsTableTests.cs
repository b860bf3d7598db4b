namespace Samsa.Protocol.Tests;

public class ApiVersionsTableTests
{
    [Theory]
    [InlineData(ApiKey.Produce, 0, 0, 11, 9)]
    [InlineData(ApiKey.Fetch, 1, 0, 17, 12)]
    [InlineData(ApiKey.ListOffsets, 2, 0, 10, 6)]
    [InlineData(ApiKey.Metadata, 3, 0, 12, 9)]
    [InlineData(ApiKey.ApiVersions, 18, 0, 4, 3)]
    [InlineData(ApiKey.FindCoordinator, 10, 0, 6, 3)]
    public void RangesComeFromTheSchemas(ApiKey key, short number, short min, short max, short firstFlexible)
    {
        Assert.Equal(number, (short)key);
        Assert.True(ApiVersionsTable.TryGetRange(key, out var range));
        Assert.Equal((min, max), (range.MinVersion, range.MaxVersion));
        Assert.False(ApiVersionsTable.IsFlexible(key, (short)(firstFlexible - 1)));
        Assert.True(ApiVersionsTable.IsFlexible(key, firstFlexible));
        Assert.True(ApiVersionsTable.IsSupported(key, max));
        Assert.False(ApiVersionsTable.IsSupported(key, (short)(max + 1)));
    }

    [Fact]
    public void UnknownApiKeyIsNotSupported()
    {
        Assert.False(ApiVersionsTable.TryGetRange((ApiKey)999, out _));
        Assert.False(ApiVersionsTable.IsSupported((ApiKey)999, 0));
        Assert.Equal(1, ApiVersionsTable.RequestHeaderVersion((ApiKey)999, 0));
    }

    [Fact]
    public void EveryRequestSchemaHasAnApiKey()
    {
        Assert.True(ApiVersionsTable.All.Count >= 80);
        Assert.Equal(ApiVersionsTable.All.Count, ApiVersionsTable.All.Select(r => r.ApiKey).Distinct().Count());
    }

    [Fact]
    public void ErrorCodesCarryKafkasNumbers()
    {
        Assert.Equal(-1, (short)ErrorCode.UnknownServerError);
        Assert.Equal(0, (short)ErrorCode.None);
        Assert.Equal(3, (short)ErrorCode.UnknownTopicOrPartition);
        Assert.Equal(6, (short)ErrorCode.NotLeaderOrFollower);
        Assert.Equal(35, (short)ErrorCode.UnsupportedVersion);
        Assert.Equal(79, (short)ErrorCode.MemberIdRequired);
        Assert.Equal(100, (short)ErrorCode.UnknownTopicId);
        Assert.Equal(120, (short)ErrorCode.TransactionAbortable);
        Assert.Equal(Enum.GetValues<ErrorCode>().Length, Enum.GetValues<ErrorCode>().Distinct().Count());
    }
}
