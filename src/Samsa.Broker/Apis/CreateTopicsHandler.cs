using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using ControllerTopic = Samsa.Metadata.Controller.CreatableTopic;

namespace Samsa.Broker.Apis;

/// <summary>
/// CreateTopics (key 19), versions 0-7. Each topic is validated and created on its own: a mix of
/// valid and invalid topics creates the valid ones and answers a per-topic error for the others
/// (TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG, ...).
/// A topic named twice in one request gets INVALID_REQUEST, as Kafka answers. v5+ returns the
/// resulting configs with their sources; v7+ the topic id.
/// </summary>
public sealed class CreateTopicsHandler : ApiHandler<CreateTopicsRequest>
{
    private readonly MetadataQuorumComponent _metadata;

    public CreateTopicsHandler(MetadataQuorumComponent metadata) => _metadata = metadata;

    public override short MinVersion => 0;
    public override short MaxVersion => 7;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, CreateTopicsRequest request)
    {
        var response = new CreateTopicsResponse();
        var duplicates = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (CreateTopicsRequest.CreatableTopic t in request.Topics)
        {
            if (!seen.Add(t.Name))
            {
                duplicates.Add(t.Name);
            }
        }

        var toCreate = new List<ControllerTopic>(request.Topics.Count);
        foreach (CreateTopicsRequest.CreatableTopic t in request.Topics)
        {
            if (duplicates.Contains(t.Name))
            {
                continue;
            }
            toCreate.Add(new ControllerTopic(t.Name, t.NumPartitions, t.ReplicationFactor, Assignments(t), Configs(t)));
        }

        IReadOnlyList<CreateTopicResult> results = toCreate.Count == 0
            ? []
            : await ControllerCall.Run(
                () => _metadata.Quorum.Controller.CreateTopicsAsync(toCreate, request.validateOnly, context.CancellationToken),
                toCreate, (t, error, message) => new CreateTopicResult(t.Name, error, message)).ConfigureAwait(false);

        MetadataImage image = _metadata.Quorum.Image;
        foreach (CreateTopicResult r in results)
        {
            var topic = new CreateTopicsResponse.CreatableTopicResult
            {
                Name = r.Name,
                TopicId = r.TopicId,
                ErrorCode = (short)r.ErrorCode,
                ErrorMessage = r.ErrorMessage,
                NumPartitions = r.NumPartitions,
                ReplicationFactor = r.ReplicationFactor,
            };
            if (r.ErrorCode == ErrorCode.None && context.ApiVersion >= 5)
            {
                IReadOnlyDictionary<string, string?>? own = toCreate.Find(c => c.Name == r.Name)?.Configs;
                topic.Configs = [];
                foreach (DescribedConfig c in _metadata.Quorum.Controller.Configs.DescribeNewTopic(image, own))
                {
                    topic.Configs.Add(new CreateTopicsResponse.CreatableTopicConfigs
                    {
                        Name = c.Name,
                        Value = c.IsSensitive ? null : c.Value,
                        ReadOnly = c.IsReadOnly,
                        ConfigSource = (sbyte)c.Source,
                        IsSensitive = c.IsSensitive,
                    });
                }
            }
            else if (r.ErrorCode != ErrorCode.None)
            {
                topic.NumPartitions = -1;
                topic.ReplicationFactor = -1;
                topic.TopicConfigErrorCode = (short)r.ErrorCode;
            }
            response.Topics.Add(topic);
        }
        foreach (string name in duplicates)
        {
            response.Topics.Add(new CreateTopicsResponse.CreatableTopicResult
            {
                Name = name,
                ErrorCode = (short)ErrorCode.InvalidRequest,
                ErrorMessage = $"Create topics request from client `{context.ClientId}` contains multiple entries for the following topics: {name}",
                NumPartitions = -1,
                ReplicationFactor = -1,
            });
        }
        return ApiResponse.Of(response);
    }

    private static Dictionary<int, IReadOnlyList<int>>? Assignments(CreateTopicsRequest.CreatableTopic t)
    {
        if (t.Assignments.Count == 0)
        {
            return null;
        }
        var map = new Dictionary<int, IReadOnlyList<int>>(t.Assignments.Count);
        foreach (CreateTopicsRequest.CreatableReplicaAssignment a in t.Assignments)
        {
            map[a.PartitionIndex] = a.BrokerIds;
        }
        return map;
    }

    private static Dictionary<string, string?>? Configs(CreateTopicsRequest.CreatableTopic t)
    {
        if (t.Configs.Count == 0)
        {
            return null;
        }
        var map = new Dictionary<string, string?>(t.Configs.Count, StringComparer.Ordinal);
        foreach (CreateTopicsRequest.CreatableTopicConfig c in t.Configs)
        {
            map[c.Name] = c.Value;
        }
        return map;
    }
}
