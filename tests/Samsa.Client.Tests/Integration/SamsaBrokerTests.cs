// The same client tests against the real Samsa broker process. They need the broker's Metadata,
// Produce, Fetch, ListOffsets, InitProducerId and CreateTopics handlers, which are not on main yet;
// until then they compile only with: dotnet test tests/Samsa.Client.Tests -p:SamsaBrokerTests=true
#if SAMSA_BROKER_TESTS
namespace Samsa.Client.Tests.Integration;

/// <summary>Against the real Samsa broker process.</summary>
public sealed class SamsaGroupInteropTests(SamsaBrokerFixture fixture) : GroupInteropTests<SamsaBrokerFixture>(fixture);

/// <summary>Against the real Samsa broker process.</summary>
public sealed class SamsaAotSampleTests(SamsaBrokerFixture fixture) : AotSampleTests<SamsaBrokerFixture>(fixture);

/// <summary>Against the real Samsa broker process.</summary>
public sealed class SamsaConsumerLifecycleTests(SamsaBrokerFixture fixture) : ConsumerLifecycleTests<SamsaBrokerFixture>(fixture);

/// <summary>Against the real Samsa broker process.</summary>
public sealed class SamsaIdempotenceTests(SamsaBrokerFixture fixture) : IdempotenceTests<SamsaBrokerFixture>(fixture);

/// <summary>Against the real Samsa broker process.</summary>
public sealed class SamsaInteropTests(SamsaBrokerFixture fixture) : InteropTests<SamsaBrokerFixture>(fixture);

/// <summary>Against the real Samsa broker process.</summary>
public sealed class SamsaBackPressureTests(SamsaBrokerFixture fixture) : BackPressureTests<SamsaBrokerFixture>(fixture);
#endif
