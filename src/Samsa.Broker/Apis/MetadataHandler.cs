using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// Metadata (key 3), versions 0-12, from the metadata image: the live brokers on the listener the
/// client connected to (this broker with its bound ports), the cluster id, the controller, and the
/// topics asked (all of them for a null list, or an empty one in v0) with their partitions' leaders,
/// epochs, replicas and ISR. An unknown topic is created with <c>num.partitions</c> and
/// <c>default.replication.factor</c> when <c>auto.create.topics.enable</c> and the request allow it
/// (v4+ asks; older versions always allow). Authorized operations (v8+) are every operation, as
/// Kafka answers without an authorizer.
/// </summary>
public sealed class MetadataHandler : ApiHandler<MetadataRequest>
{
    private readonly MetadataQuorumComponent _metadata;
    private readonly BrokerConfig _config;
    private readonly BrokerIdentity _identity;
    private readonly BrokerEndpoints _endpoints;

    public MetadataHandler(MetadataQuorumComponent metadata, BrokerConfig config, BrokerIdentity identity, BrokerEndpoints endpoints)
    {
        _metadata = metadata;
        _config = config;
        _identity = identity;
        _endpoints = endpoints;
    }

    public override short MinVersion => 0;
    public override short MaxVersion => 12;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, MetadataRequest request)
    {
        short version = context.ApiVersion;
        MetadataImage image = _metadata.Quorum.Image;
        bool all = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        bool allowAutoCreate = (version < 4 || request.AllowAutoTopicCreation) && _config.AutoCreateTopicsEnable;

        // Auto-creation first, so the answer can already show the new topics.
        if (!all && allowAutoCreate)
        {
            var missing = new List<CreatableTopic>();
            foreach (MetadataRequest.MetadataRequestTopic t in request.Topics!)
            {
                if (t.Name is { } name && image.GetTopic(name) is null && TopicNames.Validate(name) is null && !missing.Exists(m => m.Name == name))
                {
                    missing.Add(new CreatableTopic(name));
                }
            }
            if (missing.Count > 0)
            {
                try
                {
                    await _metadata.Quorum.Controller.CreateTopicsAsync(missing, validateOnly: false, context.CancellationToken);
                }
                catch (Exception e) when (e is Samsa.Metadata.Log.NotControllerException or TimeoutException)
                {
                    // The topics stay missing: the client sees LEADER_NOT_AVAILABLE below and retries.
                }
                image = _metadata.Quorum.Image;
            }
        }

        var response = new MetadataResponse
        {
            ThrottleTimeMs = 0,
            ClusterId = _identity.ClusterId,
            ControllerId = _metadata.Quorum.Log.LeaderId,
            ClusterAuthorizedOperations = version is >= 8 and <= 10 && request.IncludeClusterAuthorizedOperations ? AuthorizedOperations.Cluster : AuthorizedOperations.NotRequested,
        };
        AddBrokers(response, image, context.Connection.ListenerName);
        bool includeOperations = version >= 8 && request.IncludeTopicAuthorizedOperations;
        if (all)
        {
            foreach (TopicImage topic in image.TopicsById.Values)
            {
                response.Topics.Add(Describe(topic, includeOperations));
            }
        }
        else
        {
            foreach (MetadataRequest.MetadataRequestTopic t in request.Topics!)
            {
                TopicImage? topic = t.Name is { } n ? image.GetTopic(n) : image.GetTopic(t.TopicId);
                if (topic is not null)
                {
                    response.Topics.Add(Describe(topic, includeOperations));
                    continue;
                }
                ErrorCode error = t.Name is null ? ErrorCode.UnknownTopicId
                    : TopicNames.Validate(t.Name) is not null ? ErrorCode.InvalidTopicException
                    : allowAutoCreate ? ErrorCode.LeaderNotAvailable
                    : ErrorCode.UnknownTopicOrPartition;
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic
                {
                    ErrorCode = (short)error,
                    Name = t.Name,
                    TopicId = t.TopicId,
                    TopicAuthorizedOperations = AuthorizedOperations.NotRequested,
                });
            }
        }
        return ApiResponse.Of(response);
    }

    private void AddBrokers(MetadataResponse response, MetadataImage image, string listenerName)
    {
        foreach (VisibleBroker b in ClusterBrokers.Visible(image, _config, _endpoints, listenerName))
        {
            response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = b.Id, Host = b.Host, Port = b.Port, Rack = b.Rack });
        }
    }

    private static MetadataResponse.MetadataResponseTopic Describe(TopicImage topic, bool includeOperations)
    {
        var result = new MetadataResponse.MetadataResponseTopic
        {
            Name = topic.Name,
            TopicId = topic.Id,
            IsInternal = topic.IsInternal,
            TopicAuthorizedOperations = includeOperations ? AuthorizedOperations.Topic : AuthorizedOperations.NotRequested,
        };
        foreach ((int index, PartitionRegistration p) in topic.Partitions)
        {
            var partition = new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)(p.HasLeader ? ErrorCode.None : ErrorCode.LeaderNotAvailable),
                PartitionIndex = index,
                LeaderId = p.Leader,
                LeaderEpoch = p.LeaderEpoch,
            };
            partition.ReplicaNodes.AddRange(p.Replicas);
            partition.IsrNodes.AddRange(p.Isr);
            result.Partitions.Add(partition);
        }
        return result;
    }
}
