using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// OffsetCommit (key 8), versions 0-9. v0 commits without membership; v1 adds generation, member
/// and a per-partition commit timestamp; v2-4 a retention time; v6 the leader epoch; v7 the
/// instance id. Answered once the offsets are written (deferred).
/// </summary>
public sealed class OffsetCommitHandler(GroupCoordinator coordinator) : ApiHandler<OffsetCommitRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        short version = context.ApiVersion;
        var partitions = new List<OffsetCommitPartition>();
        foreach (var t in request.Topics)
        {
            foreach (var p in t.Partitions)
            {
                partitions.Add(new OffsetCommitPartition(t.Name, p.PartitionIndex, p.CommittedOffset,
                    version >= 6 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata, version == 1 ? p.CommitTimestamp : -1));
            }
        }
        var task = coordinator.CommitOffsetsAsync(request.GroupId,
            version >= 1 ? request.GenerationIdOrMemberEpoch : -1,
            version >= 1 ? request.MemberId : "",
            version >= 7 ? request.GroupInstanceId : null,
            version is >= 2 and <= 4 ? request.RetentionTimeMs : -1,
            partitions);
        return DeferredResponses.Respond(task, errors =>
        {
            var response = new OffsetCommitResponse();
            int i = 0;
            foreach (var t in request.Topics)
            {
                var topic = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = t.Name };
                foreach (var p in t.Partitions)
                {
                    topic.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                    {
                        PartitionIndex = p.PartitionIndex,
                        ErrorCode = (short)errors[i++],
                    });
                }
                response.Topics.Add(topic);
            }
            return response;
        });
    }
}
