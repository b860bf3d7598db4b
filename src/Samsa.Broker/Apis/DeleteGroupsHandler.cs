using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// DeleteGroups (key 42), versions 0-2: deletes empty groups with their offsets (tombstones in
/// <c>__consumer_offsets</c>); NON_EMPTY_GROUP for a group with members, GROUP_ID_NOT_FOUND for none.
/// </summary>
public sealed class DeleteGroupsHandler(GroupCoordinator coordinator) : ApiHandler<DeleteGroupsRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DeleteGroupsRequest request)
    {
        var tasks = new Task<Protocol.ErrorCode>[request.GroupsNames.Count];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = coordinator.DeleteGroupAsync(request.GroupsNames[i]);
        return DeferredResponses.Respond(Task.WhenAll(tasks), errors =>
        {
            var response = new DeleteGroupsResponse();
            for (int i = 0; i < errors.Length; i++)
            {
                response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = request.GroupsNames[i], ErrorCode = (short)errors[i] });
            }
            return response;
        });
    }
}
