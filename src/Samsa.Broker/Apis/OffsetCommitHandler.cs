using Samsa.Broker.Groups;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Image;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// OffsetCommit (key 8), versions 0-9. v0 commits without membership; v1 adds generation, member
/// and a per-partition commit timestamp; v2-4 a retention time; v6 the leader epoch; v7 the
/// instance id. Partitions of topics the image does not know get UNKNOWN_TOPIC_OR_PARTITION and
/// are not committed (as in Kafka); the rest are answered once written (deferred).
/// </summary>
public sealed class OffsetCommitHandler(GroupCoordinator coordinator, MetadataQuorumComponent metadata) : ApiHandler<OffsetCommitRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, OffsetCommitRequest request)
    {
        short version = context.ApiVersion;
        MetadataImage image = metadata.Quorum.Image;
        var partitions = new List<OffsetCommitPartition>();
        // Per request partition (in request order): its index in `partitions`, or -1 when the partition does not exist.
        var slots = new List<int>();
        foreach (var t in request.Topics)
        {
            var topic = image.GetTopic(t.Name);
            foreach (var p in t.Partitions)
            {
                if (topic is null || !topic.Partitions.ContainsKey(p.PartitionIndex))
                {
                    slots.Add(-1);
                    continue;
                }
                slots.Add(partitions.Count);
                partitions.Add(new OffsetCommitPartition(t.Name, p.PartitionIndex, p.CommittedOffset,
                    version >= 6 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata, version == 1 ? p.CommitTimestamp : -1));
            }
        }
        var task = partitions.Count == 0
            ? Task.FromResult<IReadOnlyList<ErrorCode>>([])
            : coordinator.CommitOffsetsAsync(request.GroupId,
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
                    int slot = slots[i++];
                    topic.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition
                    {
                        PartitionIndex = p.PartitionIndex,
                        ErrorCode = (short)(slot < 0 ? ErrorCode.UnknownTopicOrPartition : errors[slot]),
                    });
                }
                response.Topics.Add(topic);
            }
            return response;
        });
    }
}
