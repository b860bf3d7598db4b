using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Apis;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Broker.Replicas;

namespace Samsa.Broker.Groups;

/// <summary>Registers the group coordinator, its storage on <c>__consumer_offsets</c> and its API handlers.</summary>
public static class GroupServiceCollectionExtensions
{
    public static GroupCoordinatorOptions OptionsFrom(BrokerConfig config) => new()
    {
        OffsetsTopicNumPartitions = config.OffsetsTopicNumPartitions,
        GroupMinSessionTimeoutMs = config.GetInt("group.min.session.timeout.ms"),
        GroupMaxSessionTimeoutMs = config.GetInt("group.max.session.timeout.ms"),
        GroupInitialRebalanceDelayMs = config.GroupInitialRebalanceDelayMs,
        GroupMaxSize = config.GetInt("group.max.size"),
        OffsetsRetentionMs = config.GetInt("offsets.retention.minutes") * 60_000L,
        OffsetsRetentionCheckIntervalMs = config.GetLong("offsets.retention.check.interval.ms"),
        OffsetMetadataMaxBytes = config.GetInt("offset.metadata.max.bytes"),
    };

    /// <summary>
    /// The coordinator on the replica manager's <c>__consumer_offsets</c> (created through the
    /// controller on first FindCoordinator), following the image for which partitions it leads.
    /// Register after the metadata quorum and replica manager components (it starts after them).
    /// </summary>
    public static IServiceCollection AddGroupCoordinator(this IServiceCollection services)
    {
        services.AddSingleton<ICoordinatorLog>(sp => new ReplicaCoordinatorLog(sp.GetRequiredService<ReplicaManager>(),
            sp.GetRequiredService<BrokerConfig>().OffsetsTopicNumPartitions));
        services.AddSingleton(sp => new GroupCoordinator(sp.GetRequiredService<ICoordinatorLog>(), OptionsFrom(sp.GetRequiredService<BrokerConfig>()),
            sp.GetService<TimeProvider>(), sp.GetService<ILogger<GroupCoordinator>>()));
        services.AddSingleton<ICoordinatorLocator, MetadataCoordinatorLocator>();
        services.AddSingleton<IBrokerComponent, OffsetsTopicLeadership>();

        services.AddSingleton<IApiHandler, FindCoordinatorHandler>();
        services.AddSingleton<IApiHandler, JoinGroupHandler>();
        services.AddSingleton<IApiHandler, SyncGroupHandler>();
        services.AddSingleton<IApiHandler, HeartbeatHandler>();
        services.AddSingleton<IApiHandler, LeaveGroupHandler>();
        services.AddSingleton<IApiHandler, OffsetCommitHandler>();
        services.AddSingleton<IApiHandler, OffsetFetchHandler>();
        services.AddSingleton<IApiHandler, OffsetDeleteHandler>();
        services.AddSingleton<IApiHandler, ListGroupsHandler>();
        services.AddSingleton<IApiHandler, DescribeGroupsHandler>();
        services.AddSingleton<IApiHandler, DeleteGroupsHandler>();
        return services;
    }
}
