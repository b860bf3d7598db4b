// The same client tests against the real Samsa broker process.
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

/// <summary>Against the real Samsa broker process.</summary>
public sealed class SamsaLargeBatchTests(SamsaBrokerFixture fixture) : LargeBatchTests<SamsaBrokerFixture>(fixture);
