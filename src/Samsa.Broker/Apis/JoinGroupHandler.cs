using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// JoinGroup (key 11), versions 0-9. v4+ gets MEMBER_ID_REQUIRED on a first join (KIP-394); v5+
/// static members (group.instance.id); v0 has no rebalance timeout (the session timeout is used).
/// The answer waits for the rebalance and is deferred, never holding the connection.
/// </summary>
public sealed class JoinGroupHandler(GroupCoordinator coordinator) : ApiHandler<JoinGroupRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 9;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        var protocols = new List<GroupProtocol>(request.Protocols.Count);
        foreach (var p in request.Protocols) protocols.Add(new GroupProtocol(p.Name, p.Metadata));
        var data = new JoinGroupRequestData(
            request.GroupId,
            request.MemberId,
            context.ApiVersion >= 5 ? request.GroupInstanceId : null,
            request.ProtocolType,
            protocols,
            request.SessionTimeoutMs,
            context.ApiVersion >= 1 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs,
            context.ClientId ?? "",
            DeferredResponses.ClientHost(context),
            RequireKnownMemberId: context.ApiVersion >= 4,
            SupportSkippingAssignment: context.ApiVersion >= 9,
            Reason: request.Reason);
        return DeferredResponses.Respond(coordinator.JoinGroupAsync(data), r => ToResponse(r, context.ApiVersion));
    }

    private static JoinGroupResponse ToResponse(JoinGroupResult result, short version)
    {
        var response = new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolName = result.ProtocolName ?? (version >= 7 ? null : ""),
            Leader = result.LeaderId,
            MemberId = result.MemberId,
        };
        if (version >= 7) response.ProtocolType = result.ProtocolType;
        if (version >= 9) response.SkipAssignment = result.SkipAssignment;
        foreach (var m in result.MemberList)
        {
            response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember
            {
                MemberId = m.MemberId,
                GroupInstanceId = version >= 5 ? m.GroupInstanceId : null,
                Metadata = m.Metadata,
            });
        }
        return response;
    }
}
