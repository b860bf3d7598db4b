using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// OffsetFetch (key 9), versions 0-9. v2+ null topics means every committed partition and a
/// top-level error; v5 the leader epoch; v7 require-stable; v8+ several groups per request.
/// Nothing committed: offset -1, empty metadata.
/// </summary>
public sealed class OffsetFetchHandler(GroupCoordinator coordinator) : ApiHandler<OffsetFetchRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, OffsetFetchRequest request)
    {
        short version = context.ApiVersion;
        var response = new OffsetFetchResponse();
        if (version >= 8)
        {
            foreach (var g in request.Groups)
            {
                List<(string, IReadOnlyList<int>)>? topics = null;
                if (g.Topics is not null)
                {
                    topics = [];
                    foreach (var t in g.Topics) topics.Add((t.Name, t.PartitionIndexes));
                }
                var (error, offsets) = coordinator.FetchOffsets(g.GroupId, topics, request.RequireStable);
                var group = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = g.GroupId, ErrorCode = (short)error };
                OffsetFetchResponse.OffsetFetchResponseTopics? current = null;
                foreach (var o in offsets)
                {
                    if (current is null || current.Name != o.Topic)
                    {
                        current = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = o.Topic };
                        group.Topics.Add(current);
                    }
                    current.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartitions
                    {
                        PartitionIndex = o.Partition,
                        CommittedOffset = o.Offset,
                        CommittedLeaderEpoch = o.LeaderEpoch,
                        Metadata = o.Metadata,
                        ErrorCode = (short)o.Error,
                    });
                }
                response.Groups.Add(group);
            }
            return ValueTask.FromResult(ApiResponse.Of(response));
        }

        List<(string, IReadOnlyList<int>)>? requested = null;
        if (request.Topics is not null)
        {
            requested = [];
            foreach (var t in request.Topics) requested.Add((t.Name, t.PartitionIndexes));
        }
        var (groupError, fetched) = coordinator.FetchOffsets(request.GroupId, requested, version >= 7 && request.RequireStable);
        if (groupError != ErrorCode.None && version < 2 && requested is not null)
        {
            // v0-1 have no top-level error: every partition carries it.
            var list = new List<FetchedOffset>();
            foreach (var (topic, parts) in requested)
            {
                foreach (int p in parts) list.Add(new FetchedOffset(topic, p, -1, -1, "", groupError));
            }
            fetched = list;
        }
        if (version >= 2) response.ErrorCode = (short)groupError;
        OffsetFetchResponse.OffsetFetchResponseTopic? topicResponse = null;
        foreach (var o in fetched)
        {
            if (topicResponse is null || topicResponse.Name != o.Topic)
            {
                topicResponse = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = o.Topic };
                response.Topics.Add(topicResponse);
            }
            var partition = new OffsetFetchResponse.OffsetFetchResponsePartition
            {
                PartitionIndex = o.Partition,
                CommittedOffset = o.Offset,
                Metadata = o.Metadata,
                ErrorCode = (short)o.Error,
            };
            if (version >= 5) partition.CommittedLeaderEpoch = o.LeaderEpoch;
            topicResponse.Partitions.Add(partition);
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
