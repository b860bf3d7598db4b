using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// ListGroups (key 16), versions 0-5: the groups this broker coordinates; v4 filters by state and
/// shows it, v5 filters by type (every group here is "classic").
/// </summary>
public sealed class ListGroupsHandler(GroupCoordinator coordinator) : ApiHandler<ListGroupsRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ListGroupsRequest request)
    {
        short version = context.ApiVersion;
        var response = new ListGroupsResponse();
        bool classicWanted = true;
        if (version >= 5 && request.TypesFilter.Count > 0)
        {
            classicWanted = request.TypesFilter.Exists(t => string.Equals(t, "classic", StringComparison.OrdinalIgnoreCase));
        }
        var (error, groups) = coordinator.ListGroups(version >= 4 ? request.StatesFilter : null);
        response.ErrorCode = (short)error;
        if (!classicWanted) return ValueTask.FromResult(ApiResponse.Of(response));
        foreach (var g in groups)
        {
            var listed = new ListGroupsResponse.ListedGroup { GroupId = g.GroupId, ProtocolType = g.ProtocolType };
            if (version >= 4) listed.GroupState = g.State.ToString();
            if (version >= 5) listed.GroupType = "classic";
            response.Groups.Add(listed);
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
