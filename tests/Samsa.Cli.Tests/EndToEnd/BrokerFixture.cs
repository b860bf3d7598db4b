using Samsa.TestSupport;

namespace Samsa.Cli.Tests.EndToEnd;

/// <summary>One Samsa broker for the seed-command tests (each test uses its own topics and groups).</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private SamsaProcess? _broker;

    public SamsaProcess Broker => _broker ?? throw new InvalidOperationException("not started");

    public KafkaShell Shell { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["num.partitions"] = "3";
        options.Overrides["auto.create.topics.enable"] = "true";
        // A member that leaves without a LeaveGroup is noticed quickly.
        options.Overrides["group.initial.rebalance.delay.ms"] = "0";
        _broker = await SamsaProcess.StartAsync(options);
        Shell = new KafkaShell(_broker.BootstrapServers);
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
    }
}
