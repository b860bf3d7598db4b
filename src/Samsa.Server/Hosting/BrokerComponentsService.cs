using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Hosting;

namespace Samsa.Server.Hosting;

/// <summary>
/// Starts the <see cref="IBrokerComponent"/>s in registration order before Kestrel opens the
/// listeners (it is registered before the server), and stops them in reverse order after Kestrel
/// has closed them: the place where logs are flushed and the clean-shutdown marker is written.
/// </summary>
internal sealed class BrokerComponentsService : IHostedService
{
    private readonly IReadOnlyList<IBrokerComponent> _components;
    private readonly BrokerState _state;
    private readonly ILogger<BrokerComponentsService> _logger;
    private int _started;

    public BrokerComponentsService(IEnumerable<IBrokerComponent> components, BrokerState state, ILogger<BrokerComponentsService> logger)
    {
        _components = components.ToList();
        _state = state;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var component in _components)
        {
            _state.Set(BrokerLifecycle.Starting, component.Name);
            long t0 = Environment.TickCount64;
            await component.StartAsync(cancellationToken);
            _started++;
            _logger.LogInformation("Started {Component} in {Ms} ms", component.Name, Environment.TickCount64 - t0);
        }
        _state.Set(BrokerLifecycle.Starting, "listeners");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host stops once on SIGTERM and the caller's StopAsync asks again: stop each component once.
        int started = Interlocked.Exchange(ref _started, 0);
        if (started == 0)
        {
            _state.Set(BrokerLifecycle.Stopped);
            return;
        }
        _state.Set(BrokerLifecycle.ShuttingDown);
        for (int i = started - 1; i >= 0; i--)
        {
            var component = _components[i];
            try
            {
                await component.StopAsync(cancellationToken);
                _logger.LogInformation("Stopped {Component}", component.Name);
            }
            catch (Exception e)
            {
                // Keep stopping the others: a failed flush of one must not skip another's checkpoint.
                _logger.LogError(e, "Stopping {Component} failed", component.Name);
            }
        }
        _state.Set(BrokerLifecycle.Stopped);
    }
}
