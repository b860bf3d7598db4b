using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Apis;
using Samsa.Broker.Config;
using Samsa.Broker.Groups;
using Samsa.Broker.Hosting;
using Samsa.Broker.Replicas;
using Samsa.Broker.Requests;
using Samsa.Storage;

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

        // Storage: every log.dirs entry, opened (and recovered) once; the first one's manager is the
        // LogManager others (the group coordinator) use, so one directory never has two owners.
        services.AddSingleton(sp => BrokerLogManager.Open(config, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<BrokerLogManager>().Managers[0]);
        services.AddSingleton(sp => new ReplicaManager(config.NodeId, sp.GetRequiredService<BrokerLogManager>(), TimeProvider.System,
            sp.GetService<ILogger<ReplicaManager>>()));

        // Components started before the listeners, stopped after (in reverse order): the metadata
        // quorum first, then the hosted partitions, then whatever builds on them.
        services.AddSingleton<MetadataQuorumComponent>();
        services.AddSingleton<IBrokerComponent>(sp => sp.GetRequiredService<MetadataQuorumComponent>());
        services.AddSingleton<IBrokerComponent, ReplicaManagerComponent>();

        // API handlers (Apis/<Name>Handler.cs), one per key:
        services.AddSingleton<IApiHandler, MetadataHandler>();
        services.AddSingleton<IApiHandler, ProduceHandler>();
        services.AddSingleton<IApiHandler, FetchHandler>();
        services.AddSingleton<IApiHandler, ListOffsetsHandler>();
        services.AddSingleton<IApiHandler, DeleteRecordsHandler>();
        services.AddSingleton<IApiHandler, DescribeLogDirsHandler>();
        services.AddSingleton<IApiHandler, InitProducerIdHandler>();
        services.AddSingleton<IApiHandler, CreateTopicsHandler>();
        services.AddSingleton<IApiHandler, DeleteTopicsHandler>();
        services.AddSingleton<IApiHandler, CreatePartitionsHandler>();
        services.AddSingleton<IApiHandler, DescribeConfigsHandler>();
        services.AddSingleton<IApiHandler, AlterConfigsHandler>();
        services.AddSingleton<IApiHandler, IncrementalAlterConfigsHandler>();
        services.AddSingleton<IApiHandler, DescribeClusterHandler>();
        services.AddGroupCoordinator();
        return services;
    }
}
