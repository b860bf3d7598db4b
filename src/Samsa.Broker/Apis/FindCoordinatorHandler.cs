using Samsa.Broker.Groups;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// FindCoordinator (key 10), versions 0-5: v0-3 one key, v4+ a batch of keys. Key type 0 (group)
/// maps to <c>__consumer_offsets</c> partition abs(hash(groupId)) % partitions and answers its
/// leader; key type 1 (transaction) answers COORDINATOR_NOT_AVAILABLE until the transaction
/// coordinator exists; other key types INVALID_REQUEST.
/// </summary>
public sealed class FindCoordinatorHandler(GroupCoordinator coordinator, ICoordinatorLocator locator) : ApiHandler<FindCoordinatorRequest>
{
    private const sbyte GroupKeyType = 0;
    private const sbyte TransactionKeyType = 1;

    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, FindCoordinatorRequest request)
    {
        sbyte keyType = context.ApiVersion >= 1 ? request.KeyType : GroupKeyType;
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion < 4)
        {
            var (location, message) = await FindAsync(context, keyType, request.Key).ConfigureAwait(false);
            response.ErrorCode = (short)location.Error;
            if (context.ApiVersion >= 1) response.ErrorMessage = message;
            response.NodeId = location.NodeId;
            response.Host = location.Host;
            response.Port = location.Port;
            return ApiResponse.Of(response);
        }
        foreach (var key in request.CoordinatorKeys)
        {
            var (location, message) = await FindAsync(context, keyType, key).ConfigureAwait(false);
            response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                ErrorCode = (short)location.Error,
                ErrorMessage = message,
                NodeId = location.NodeId,
                Host = location.Host,
                Port = location.Port,
            });
        }
        return ApiResponse.Of(response);
    }

    private async ValueTask<(CoordinatorLocation Location, string? Message)> FindAsync(RequestContext context, sbyte keyType, string key)
    {
        switch (keyType)
        {
            case GroupKeyType:
                if (string.IsNullOrEmpty(key)) return (Failed(ErrorCode.InvalidRequest), "the group id is empty");
                var location = await locator.LocateAsync(coordinator.PartitionFor(key), context.Connection.ListenerName, context.CancellationToken).ConfigureAwait(false);
                return (location, location.Error == ErrorCode.None ? null : location.Error.ToString());
            case TransactionKeyType:
                return (Failed(ErrorCode.CoordinatorNotAvailable), "transactions are not supported yet");
            default:
                return (Failed(ErrorCode.InvalidRequest), $"unknown key type {keyType}");
        }
    }

    private static CoordinatorLocation Failed(ErrorCode error) => new(error, -1, "", -1);
}
