using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Controller;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// DeleteTopics (key 20), versions 0-6: by name (v0-5 TopicNames, v6 Topics with a name) or by
/// topic id (v6). Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids UNKNOWN_TOPIC_ID.
/// </summary>
public sealed class DeleteTopicsHandler : ApiHandler<DeleteTopicsRequest>
{
    private readonly MetadataQuorumComponent _metadata;

    public DeleteTopicsHandler(MetadataQuorumComponent metadata) => _metadata = metadata;

    public override short MinVersion => 0;
    public override short MaxVersion => 6;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, DeleteTopicsRequest request)
    {
        var refs = new List<TopicRef>();
        if (context.ApiVersion >= 6)
        {
            foreach (DeleteTopicsRequest.DeleteTopicState t in request.Topics)
            {
                refs.Add(t.Name is { } name ? TopicRef.ByName(name) : TopicRef.ById(t.TopicId));
            }
        }
        else
        {
            foreach (string name in request.TopicNames)
            {
                refs.Add(TopicRef.ByName(name));
            }
        }

        IReadOnlyList<DeleteTopicResult> results = refs.Count == 0
            ? []
            : await ControllerCall.Run(
                () => _metadata.Quorum.Controller.DeleteTopicsAsync(refs, context.CancellationToken),
                refs, (t, error, message) => new DeleteTopicResult(t.Name, t.Id, error, message)).ConfigureAwait(false);

        var response = new DeleteTopicsResponse();
        foreach (DeleteTopicResult r in results)
        {
            response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult
            {
                // Before v6 the name is not nullable: an id-only answer cannot happen there.
                Name = r.Name ?? (context.ApiVersion >= 6 ? null : ""),
                TopicId = r.TopicId,
                ErrorCode = (short)r.ErrorCode,
                ErrorMessage = r.ErrorCode == ErrorCode.None ? null : r.ErrorMessage,
            });
        }
        return ApiResponse.Of(response);
    }
}
