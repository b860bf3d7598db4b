using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Apis;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Storage;

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

    public static IServiceCollection AddGroupCoordinator(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            BrokerConfig config = sp.GetRequiredService<BrokerConfig>();
            return LogManager.Open(new LogManagerOptions
            {
                LogDir = config.LogDirs[0],
                CleanerEnabled = config.GetBoolean("log.cleaner.enable"),
                CleanerBackoffMs = config.GetLong("log.cleaner.backoff.ms"),
            }, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>());
        });
        services.TryAddSingleton<ICoordinatorLog>(sp => new LocalCoordinatorLog(sp.GetRequiredService<LogManager>(),
            sp.GetRequiredService<BrokerConfig>().OffsetsTopicNumPartitions, Guid.Empty, time: sp.GetService<TimeProvider>()));
        services.AddSingleton(sp => new GroupCoordinator(sp.GetRequiredService<ICoordinatorLog>(), OptionsFrom(sp.GetRequiredService<BrokerConfig>()),
            sp.GetService<TimeProvider>(), sp.GetService<ILogger<GroupCoordinator>>()));
        services.TryAddSingleton<ICoordinatorLocator, LocalCoordinatorLocator>();
        services.AddSingleton<IBrokerComponent, GroupCoordinatorComponent>();

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
