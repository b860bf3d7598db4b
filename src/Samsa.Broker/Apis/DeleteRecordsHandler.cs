using Samsa.Broker.Replicas;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// DeleteRecords (key 21), versions 0-2: moves each partition's log start offset up to the offset
/// asked (-1: the high watermark) and drops whole segments below it; OFFSET_OUT_OF_RANGE above the
/// high watermark. The low watermark answered is the new log start offset. With replicas Kafka waits
/// for every follower to follow; here the leader's own log is the answer.
/// </summary>
public sealed class DeleteRecordsHandler : ApiHandler<DeleteRecordsRequest>
{
    private readonly ReplicaManager _replicaManager;

    public DeleteRecordsHandler(ReplicaManager replicaManager) => _replicaManager = replicaManager;

    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DeleteRecordsRequest request)
    {
        var response = new DeleteRecordsResponse { ThrottleTimeMs = 0 };
        foreach (DeleteRecordsRequest.DeleteRecordsTopic topic in request.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (DeleteRecordsRequest.DeleteRecordsPartition p in topic.Partitions)
            {
                var result = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = p.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(result);
                ErrorCode error = _replicaManager.GetLeaderPartition(topic.Name, p.PartitionIndex, out Replicas.Partition? partition);
                if (error == ErrorCode.None)
                {
                    (error, long low) = _replicaManager.DeleteRecords(partition!, p.Offset);
                    result.LowWatermark = low;
                }
                result.ErrorCode = (short)error;
            }
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
