using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// SyncGroup (key 14), versions 0-5: the leader's assignment in, each member's assignment out.
/// v5 checks the protocol type and name. Deferred until the leader's assignment is written.
/// </summary>
public sealed class SyncGroupHandler(GroupCoordinator coordinator) : ApiHandler<SyncGroupRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, SyncGroupRequest request)
    {
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var a in request.Assignments) assignments[a.MemberId] = a.Assignment;
        var task = coordinator.SyncGroupAsync(request.GroupId, request.GenerationId, request.MemberId,
            context.ApiVersion >= 3 ? request.GroupInstanceId : null,
            context.ApiVersion >= 5 ? request.ProtocolType : null,
            context.ApiVersion >= 5 ? request.ProtocolName : null,
            assignments);
        short version = context.ApiVersion;
        return DeferredResponses.Respond(task, r =>
        {
            var response = new SyncGroupResponse { ErrorCode = (short)r.Error, Assignment = r.AssignmentBytes };
            if (version >= 5)
            {
                response.ProtocolType = r.ProtocolType;
                response.ProtocolName = r.ProtocolName;
            }
            return response;
        });
    }
}
