using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// IncrementalAlterConfigs (key 44), versions 0-1: SET, DELETE, APPEND and SUBTRACT per key, for
/// topics and brokers (an empty broker name is the cluster-wide default). An unknown operation code
/// gets INVALID_REQUEST for its resource.
/// </summary>
public sealed class IncrementalAlterConfigsHandler : ApiHandler<IncrementalAlterConfigsRequest>
{
    private readonly MetadataQuorumComponent _metadata;

    public IncrementalAlterConfigsHandler(MetadataQuorumComponent metadata) => _metadata = metadata;

    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var items = new List<IncrementalAlterConfigsResource>(request.Resources.Count);
        var response = new IncrementalAlterConfigsResponse();
        foreach (IncrementalAlterConfigsRequest.AlterConfigsResource r in request.Resources)
        {
            var resource = new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName);
            var configs = new List<AlterableConfig>(r.Configs.Count);
            bool valid = true;
            foreach (IncrementalAlterConfigsRequest.AlterableConfig c in r.Configs)
            {
                if (c.ConfigOperation is < 0 or > 3)
                {
                    valid = false;
                    break;
                }
                configs.Add(new AlterableConfig(c.Name, (AlterConfigOp)c.ConfigOperation, c.Value));
            }
            if (valid)
            {
                items.Add(new IncrementalAlterConfigsResource(resource, configs));
            }
            else
            {
                response.Responses.Add(Result(new AlterConfigsResult(resource, ErrorCode.InvalidRequest, "Unknown config operation")));
            }
        }

        IReadOnlyList<AlterConfigsResult> results = await AlterConfigResults.Run(
            () => _metadata.Quorum.Controller.IncrementalAlterConfigsAsync(items, request.ValidateOnly, context.CancellationToken),
            items.ConvertAll(i => i.Resource)).ConfigureAwait(false);
        foreach (AlterConfigsResult r in results)
        {
            response.Responses.Add(Result(r));
        }
        return ApiResponse.Of(response);
    }

    private static IncrementalAlterConfigsResponse.AlterConfigsResourceResponse Result(AlterConfigsResult r) => new()
    {
        ErrorCode = (short)r.ErrorCode,
        ErrorMessage = r.ErrorCode == ErrorCode.None ? null : r.ErrorMessage,
        ResourceType = (sbyte)r.Resource.Type,
        ResourceName = r.Resource.Name,
    };
}

/// <summary>Both alter-configs handlers call the controller the same way.</summary>
internal static class AlterConfigResults
{
    public static Task<IReadOnlyList<AlterConfigsResult>> Run(Func<Task<IReadOnlyList<AlterConfigsResult>>> call, List<ConfigResource> resources) =>
        resources.Count == 0
            ? Task.FromResult<IReadOnlyList<AlterConfigsResult>>([])
            : ControllerCall.Run(call, resources, (r, error, message) => new AlterConfigsResult(r, error, message));
}
