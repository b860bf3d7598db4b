using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// DescribeGroups (key 15), versions 0-5: state, protocol and members of each group; member
/// metadata and assignments only for a Stable group. An unknown group is shown Dead, without error.
/// Authorized operations are not computed (int.MinValue, Kafka's "not requested").
/// </summary>
public sealed class DescribeGroupsHandler(GroupCoordinator coordinator) : ApiHandler<DescribeGroupsRequest>
{
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeGroupsRequest request)
    {
        var response = new DescribeGroupsResponse();
        foreach (var groupId in request.Groups)
        {
            var d = coordinator.DescribeGroup(groupId);
            var described = new DescribeGroupsResponse.DescribedGroup
            {
                ErrorCode = (short)d.Error,
                GroupId = d.GroupId,
                GroupState = d.State.ToString(),
                ProtocolType = d.ProtocolType,
                ProtocolData = d.ProtocolName,
                AuthorizedOperations = AuthorizedOperations.NotRequested,
            };
            foreach (var m in d.Members)
            {
                described.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = context.ApiVersion >= 4 ? m.GroupInstanceId : null,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                });
            }
            response.Groups.Add(described);
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
