using Samsa.Broker.Replicas;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Storage;

namespace Samsa.Broker.Apis;

/// <summary>
/// ListOffsets (key 2), versions 0-10: -2 earliest (log start), -4 earliest local (the same, no
/// tiered storage), -1 latest (high watermark; read_committed: last stable offset), -3 the record
/// with the largest timestamp, -5 latest tiered (none: -1), otherwise the first offset at or after
/// the timestamp, or -1 when there is none below the high watermark. Version 0 answers in its old
/// shape: a list of at most <c>max_num_offsets</c> offsets. Leader epochs are checked from v4
/// (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH).
/// </summary>
public sealed class ListOffsetsHandler : ApiHandler<ListOffsetsRequest>
{
    private readonly ReplicaManager _replicaManager;

    public ListOffsetsHandler(ReplicaManager replicaManager) => _replicaManager = replicaManager;

    public override short MinVersion => 0;
    public override short MaxVersion => 10;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ListOffsetsRequest request)
    {
        short version = context.ApiVersion;
        var response = new ListOffsetsResponse { ThrottleTimeMs = 0 };
        byte isolation = version >= 2 ? (byte)request.IsolationLevel : (byte)0;
        bool fromFollower = request.ReplicaId >= 0;
        foreach (ListOffsetsRequest.ListOffsetsTopic topic in request.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (ListOffsetsRequest.ListOffsetsPartition p in topic.Partitions)
            {
                var result = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = p.PartitionIndex, Timestamp = -1, Offset = -1, LeaderEpoch = -1 };
                topicResponse.Partitions.Add(result);
                ErrorCode error = _replicaManager.GetLeaderPartition(topic.Name, p.PartitionIndex, out Partition? partition);
                if (error == ErrorCode.None && version >= 4)
                {
                    error = ReplicaManager.CheckLeaderEpoch(partition!, p.CurrentLeaderEpoch);
                }
                if (error != ErrorCode.None)
                {
                    result.ErrorCode = (short)error;
                    continue;
                }
                try
                {
                    OffsetLookupResult found = _replicaManager.FetchOffsetForTimestamp(partition!, p.Timestamp, isolation, fromFollower);
                    result.ErrorCode = (short)found.Error;
                    if (version == 0)
                    {
                        if (found.Offset >= 0 && p.MaxNumOffsets > 0)
                        {
                            result.OldStyleOffsets.Add(found.Offset);
                        }
                    }
                    else
                    {
                        result.Offset = found.Offset;
                        result.Timestamp = found.Offset >= 0 ? found.Timestamp : -1;
                        result.LeaderEpoch = version >= 4 && found.Offset >= 0 ? found.LeaderEpoch : -1;
                    }
                }
                catch (KafkaStorageException)
                {
                    result.ErrorCode = (short)ErrorCode.KafkaStorageError;
                }
            }
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
