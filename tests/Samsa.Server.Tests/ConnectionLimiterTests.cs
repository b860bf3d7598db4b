using System.Net;
using Samsa.Broker.Config;
using Samsa.Server.Network;

namespace Samsa.Server.Tests;

public class ConnectionLimiterTests
{
    private static ConnectionLimiter Limiter(string max, string perIp) => new(BrokerConfig.Create(new Dictionary<string, string>
    {
        ["process.roles"] = "broker,controller",
        ["node.id"] = "1",
        ["controller.quorum.voters"] = "1@localhost:9093",
        ["listeners"] = "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
        ["controller.listener.names"] = "CONTROLLER",
        ["log.dirs"] = "/tmp/samsa-limiter-test",
        ["max.connections"] = max,
        ["max.connections.per.ip"] = perIp,
    }));

    [Fact]
    public void Max_connections_per_ip_counts_each_address_separately()
    {
        var limiter = Limiter("10", "2");
        var a = IPAddress.Parse("10.0.0.1");
        var b = IPAddress.Parse("10.0.0.2");
        Assert.True(limiter.TryAcquire(a, out _));
        Assert.True(limiter.TryAcquire(a, out _));
        Assert.False(limiter.TryAcquire(a, out var reason));
        Assert.Contains("max.connections.per.ip (2)", reason);
        Assert.True(limiter.TryAcquire(b, out _));
        Assert.Equal(3, limiter.Count);
        limiter.Release(a);
        Assert.True(limiter.TryAcquire(a, out _));
    }

    [Fact]
    public void Max_connections_counts_all_addresses_and_frees_on_release()
    {
        var limiter = Limiter("2", "2147483647");
        Assert.True(limiter.TryAcquire(IPAddress.Loopback, out _));
        Assert.True(limiter.TryAcquire(IPAddress.IPv6Loopback, out _));
        Assert.False(limiter.TryAcquire(IPAddress.Parse("10.1.1.1"), out var reason));
        Assert.Contains("max.connections (2)", reason);
        Assert.Equal(2, limiter.Count);
        limiter.Release(IPAddress.Loopback);
        Assert.True(limiter.TryAcquire(IPAddress.Parse("10.1.1.1"), out _));
    }
}
