using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// AlterConfigs (key 33), versions 0-2, the legacy whole-set form: the keys given become the
/// resource's entire dynamic config (keys left out are removed), as Kafka does.
/// </summary>
public sealed class AlterConfigsHandler : ApiHandler<AlterConfigsRequest>
{
    private readonly MetadataQuorumComponent _metadata;

    public AlterConfigsHandler(MetadataQuorumComponent metadata) => _metadata = metadata;

    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var items = new List<AlterConfigsResource>(request.Resources.Count);
        foreach (AlterConfigsRequest.AlterConfigsResource r in request.Resources)
        {
            var configs = new Dictionary<string, string?>(r.Configs.Count, StringComparer.Ordinal);
            foreach (AlterConfigsRequest.AlterableConfig c in r.Configs)
            {
                configs[c.Name] = c.Value;
            }
            items.Add(new AlterConfigsResource(new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName), configs));
        }

        IReadOnlyList<AlterConfigsResult> results = await AlterConfigResults.Run(
            () => _metadata.Quorum.Controller.AlterConfigsAsync(items, request.ValidateOnly, context.CancellationToken),
            items.ConvertAll(i => i.Resource)).ConfigureAwait(false);

        var response = new AlterConfigsResponse();
        foreach (AlterConfigsResult r in results)
        {
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = (short)r.ErrorCode,
                ErrorMessage = r.ErrorCode == ErrorCode.None ? null : r.ErrorMessage,
                ResourceType = (sbyte)r.Resource.Type,
                ResourceName = r.Resource.Name,
            });
        }
        return ApiResponse.Of(response);
    }
}
