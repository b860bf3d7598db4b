using Samsa.Client.Tests.Fakes;

namespace Samsa.Client.Tests.Integration;

/// <summary>The in-process <see cref="FakeKafkaBroker"/> behind a <see cref="FaultProxy"/> it advertises.</summary>
public sealed class FakeBrokerFixture : IBrokerFixture
{
    private FakeKafkaBroker? _broker;
    private FaultProxy? _proxy;

    public FaultProxy Proxy => _proxy ?? throw new InvalidOperationException("The proxy is not started.");

    public string BootstrapServers => $"127.0.0.1:{Proxy.Port}";

    public Task InitializeAsync()
    {
        _broker = new FakeKafkaBroker();
        _proxy = new FaultProxy(_broker.Port);
        _broker.AdvertisedPort = _proxy.Port;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        if (_broker is not null) await _broker.DisposeAsync();
    }

    /// <summary>The fake lives in this process: the proxy in front of it refuses connections instead.</summary>
    public Task StopBrokerAsync()
    {
        Proxy.Down = true;
        return Task.CompletedTask;
    }

    public Task StartBrokerAsync()
    {
        Proxy.Down = false;
        return Task.CompletedTask;
    }

    public Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}";
        _broker!.CreateTopic(name, partitions);
        return Task.FromResult(name);
    }
}
