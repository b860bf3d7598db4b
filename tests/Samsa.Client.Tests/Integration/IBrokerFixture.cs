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
}
