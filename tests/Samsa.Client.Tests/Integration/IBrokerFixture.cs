namespace Samsa.Client.Tests.Integration;

/// <summary>
/// A broker the client tests talk to through a <see cref="FaultProxy"/>: the real Samsa process
/// (<see cref="SamsaBrokerFixture"/>) or the in-process fake (<see cref="FakeBrokerFixture"/>).
/// </summary>
public interface IBrokerFixture : IAsyncLifetime
{
    string BootstrapServers { get; }
    FaultProxy Proxy { get; }
    Task<string> CreateTopicAsync(string prefix, int partitions);

    /// <summary>Stops the broker (the real process exits cleanly); clients cannot connect until <see cref="StartBrokerAsync"/>.</summary>
    Task StopBrokerAsync();

    /// <summary>Starts the stopped broker again with the same ports and data.</summary>
    Task StartBrokerAsync();
}
