using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// LeaveGroup (key 13), versions 0-5: one member (v0-2) or a batch with instance ids (v3+, KIP-345),
/// a reason from v5. For v0-2 the member's error is the top-level error.
/// </summary>
public sealed class LeaveGroupHandler(GroupCoordinator coordinator) : ApiHandler<LeaveGroupRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, LeaveGroupRequest request)
    {
        var members = new List<LeavingMember>();
        if (context.ApiVersion < 3)
        {
            members.Add(new LeavingMember(request.MemberId, null));
        }
        else
        {
            foreach (var m in request.Members) members.Add(new LeavingMember(m.MemberId, m.GroupInstanceId, m.Reason));
        }
        var (error, memberErrors) = coordinator.LeaveGroup(request.GroupId, members);
        var response = new LeaveGroupResponse { ErrorCode = (short)error };
        if (context.ApiVersion < 3)
        {
            if (error == ErrorCode.None && memberErrors.Count == 1) response.ErrorCode = (short)memberErrors[0];
        }
        else if (error == ErrorCode.None)
        {
            for (int i = 0; i < members.Count; i++)
            {
                response.Members.Add(new LeaveGroupResponse.MemberResponse
                {
                    MemberId = members[i].MemberId,
                    GroupInstanceId = members[i].GroupInstanceId,
                    ErrorCode = (short)memberErrors[i],
                });
            }
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
