using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>Heartbeat (key 12), versions 0-4 (v3+ static members). REBALANCE_IN_PROGRESS tells a member to rejoin.</summary>
public sealed class HeartbeatHandler(GroupCoordinator coordinator) : ApiHandler<HeartbeatRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, HeartbeatRequest request)
    {
        var error = coordinator.Heartbeat(request.GroupId, request.GenerationId, request.MemberId,
            context.ApiVersion >= 3 ? request.GroupInstanceId : null);
        return ValueTask.FromResult(ApiResponse.Of(new HeartbeatResponse { ErrorCode = (short)error }));
    }
}
