using Samsa.TestSupport;

namespace Samsa.Server.Tests;

/// <summary>One samsa node shared by the tests of a class.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    private SamsaProcess? _node;

    public SamsaProcess Node => _node ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _node = await SamsaProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
    }
}
