using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// InitProducerId (key 22), versions 0-5, for idempotent producers: a fresh producer id from the
/// blocks the controller allocates in the metadata log, epoch 0 (as Kafka does for a producer
/// without a transactional id, also when it asks to bump an epoch, KIP-360). A transactional id
/// gets COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists.
/// </summary>
public sealed class InitProducerIdHandler : ApiHandler<InitProducerIdRequest>
{
    private readonly MetadataQuorumComponent _metadata;

    public InitProducerIdHandler(MetadataQuorumComponent metadata) => _metadata = metadata;

    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, InitProducerIdRequest request)
    {
        var response = new InitProducerIdResponse { ThrottleTimeMs = 0, ProducerId = -1, ProducerEpoch = -1 };
        if (request.TransactionalId is not null)
        {
            response.ErrorCode = (short)ErrorCode.CoordinatorNotAvailable;
            return ApiResponse.Of(response);
        }
        (ErrorCode error, long producerId) = await _metadata.Quorum.ProducerIds.NextAsync(context.CancellationToken);
        response.ErrorCode = (short)error;
        if (error == ErrorCode.None)
        {
            response.ProducerId = producerId;
            response.ProducerEpoch = 0;
        }
        return ApiResponse.Of(response);
    }
}
