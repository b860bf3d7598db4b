using Microsoft.Extensions.DependencyInjection;
using Samsa.Broker.Config;
using Samsa.Broker.Groups;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;

namespace Samsa.Broker;

/// <summary>The broker's services in DI: config, identity, handlers, dispatcher, lifecycle state.</summary>
public static class BrokerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the broker. API handlers are registered here, one line per API key
    /// (<c>services.AddSingleton&lt;IApiHandler, XHandler&gt;()</c>); ApiVersions is always present.
    /// Components that must load before listeners open are added as <see cref="IBrokerComponent"/>.
    /// </summary>
    public static IServiceCollection AddSamsaBroker(this IServiceCollection services, BrokerConfig config, BrokerIdentity identity)
    {
        services.AddSingleton(config);
        services.AddSingleton(identity);
        services.AddSingleton<BrokerState>();
        services.AddSingleton<BrokerEndpoints>();
        services.AddSingleton<ApiHandlerRegistry>();
        services.AddSingleton<RequestDispatcher>();

        // API handlers (Apis/<Name>Handler.cs), one per key:
        // services.AddSingleton<IApiHandler, MetadataHandler>();
        services.AddGroupCoordinator();

        // Components started before the listeners, stopped after (in reverse order):
        // services.AddSingleton<IBrokerComponent, LogManagerComponent>();
        return services;
    }
}
