using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// OffsetDelete (key 47), version 0: deletes committed offsets of an empty group, or of topics a
/// consumer group does not subscribe to (GROUP_SUBSCRIBED_TO_TOPIC otherwise).
/// </summary>
public sealed class OffsetDeleteHandler(GroupCoordinator coordinator) : ApiHandler<OffsetDeleteRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, OffsetDeleteRequest request)
    {
        var partitions = new List<(string, int)>();
        foreach (var t in request.Topics)
        {
            foreach (var p in t.Partitions) partitions.Add((t.Name, p.PartitionIndex));
        }
        return DeferredResponses.Respond(coordinator.DeleteOffsetsAsync(request.GroupId, partitions), result =>
        {
            var response = new OffsetDeleteResponse { ErrorCode = (short)result.Error };
            if (result.Error != ErrorCode.None) return response;
            int i = 0;
            foreach (var t in request.Topics)
            {
                var topic = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = t.Name };
                foreach (var p in t.Partitions)
                {
                    topic.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition
                    {
                        PartitionIndex = p.PartitionIndex,
                        ErrorCode = (short)result.PartitionErrors[i++],
                    });
                }
                response.Topics.Add(topic);
            }
            return response;
        });
    }
}
