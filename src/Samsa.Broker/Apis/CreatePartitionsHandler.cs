using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Controller;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// CreatePartitions (key 37), versions 0-3: grows topics to a new partition count. One result per
/// topic asked, always (a topic named twice gets INVALID_REQUEST); shrinking or keeping the count
/// is INVALID_PARTITIONS.
/// </summary>
public sealed class CreatePartitionsHandler : ApiHandler<CreatePartitionsRequest>
{
    private readonly MetadataQuorumComponent _metadata;

    public CreatePartitionsHandler(MetadataQuorumComponent metadata) => _metadata = metadata;

    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, CreatePartitionsRequest request)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (CreatePartitionsRequest.CreatePartitionsTopic t in request.Topics)
        {
            counts[t.Name] = counts.GetValueOrDefault(t.Name) + 1;
        }

        var items = new List<CreatePartitionsTopic>(request.Topics.Count);
        foreach (CreatePartitionsRequest.CreatePartitionsTopic t in request.Topics)
        {
            if (counts[t.Name] > 1)
            {
                continue;
            }
            List<IReadOnlyList<int>>? assignments = null;
            if (t.Assignments is { Count: > 0 })
            {
                assignments = new List<IReadOnlyList<int>>(t.Assignments.Count);
                foreach (CreatePartitionsRequest.CreatePartitionsAssignment a in t.Assignments)
                {
                    assignments.Add(a.BrokerIds);
                }
            }
            items.Add(new CreatePartitionsTopic(t.Name, t.Count, assignments));
        }

        IReadOnlyList<CreatePartitionsResult> results = items.Count == 0
            ? []
            : await ControllerCall.Run(
                () => _metadata.Quorum.Controller.CreatePartitionsAsync(items, request.ValidateOnly, context.CancellationToken),
                items, (t, error, message) => new CreatePartitionsResult(t.Name, error, message)).ConfigureAwait(false);

        var response = new CreatePartitionsResponse();
        foreach (CreatePartitionsResult r in results)
        {
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = r.Name,
                ErrorCode = (short)r.ErrorCode,
                ErrorMessage = r.ErrorCode == ErrorCode.None ? null : r.ErrorMessage,
            });
        }
        foreach (KeyValuePair<string, int> c in counts)
        {
            if (c.Value > 1)
            {
                response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
                {
                    Name = c.Key,
                    ErrorCode = (short)ErrorCode.InvalidRequest,
                    ErrorMessage = "Duplicate topic in request.",
                });
            }
        }
        return ApiResponse.Of(response);
    }
}
