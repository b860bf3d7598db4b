using Samsa.TestSupport;

namespace Samsa.Client.Tests.Integration;

/// <summary>
/// One Samsa broker process for a test class, started with its Kafka listener advertised through
/// a <see cref="FaultProxy"/>, so every client connection (bootstrap and after metadata) can be
/// broken on purpose. Faults are off unless a test turns them on.
/// </summary>
public sealed class SamsaBrokerFixture : IBrokerFixture
{
    private SamsaProcess? _broker;
    private FaultProxy? _proxy;

    public SamsaProcess Broker => _broker ?? throw new InvalidOperationException("The broker is not started.");

    public FaultProxy Proxy => _proxy ?? throw new InvalidOperationException("The proxy is not started.");

    /// <summary>The bootstrap address clients use (the proxy).</summary>
    public string BootstrapServers => $"127.0.0.1:{Proxy.Port}";

    public async Task InitializeAsync()
    {
        var proxyPort = FreePort.Next();
        var options = new SamsaProcessOptions();
        options.Overrides["advertised.listeners"] = $"PLAINTEXT://127.0.0.1:{proxyPort}";
        options.Overrides["auto.create.topics.enable"] = "true";
        options.Overrides["num.partitions"] = "1";
        options.Overrides["offsets.topic.replication.factor"] = "1";
        options.Overrides["group.initial.rebalance.delay.ms"] = "0";
        _broker = await SamsaProcess.StartAsync(options);
        _proxy = new FaultProxy(_broker.Port, proxyPort);
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null) await _proxy.DisposeAsync();
        // Diagnosing a run: with SAMSA_TEST_LOG set (see ConsoleLoggerFactory), the broker's output is kept next to it.
        if (_broker is not null && Environment.GetEnvironmentVariable("SAMSA_TEST_LOG") is { } log) File.AppendAllText(log + ".broker", _broker.Output + "\n");
        if (_broker is not null) await _broker.DisposeAsync();
    }

    public async Task StopBrokerAsync()
    {
        var exitCode = await Broker.StopAsync();
        if (exitCode != 0) throw new InvalidOperationException($"The broker exited with {exitCode} on SIGTERM:\n{Broker.Output}");
    }

    public Task StartBrokerAsync() => Broker.RestartAsync();

    /// <summary>Creates a topic with a unique name and waits until its leaders are known.</summary>
    public async Task<string> CreateTopicAsync(string prefix, int partitions)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}";
        await using var admin = new AdminClient(new AdminConfig { BootstrapServers = BootstrapServers });
        await admin.CreateTopicsAsync([new NewTopic(name, partitions, 1)]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var described = await admin.DescribeTopicsAsync([name]);
                if (described[0].Partitions.Count == partitions && described[0].Partitions.All(p => p.Leader >= 0)) return name;
            }
            catch (KafkaException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Topic {name} did not get leaders.");
            await Task.Delay(50);
        }
    }
}
