using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Apis;

/// <summary>
/// DescribeCluster (key 60), versions 0-1: the cluster id, the controller and the live brokers on
/// the listener the client connected to. Endpoint type 2 (controllers, KIP-919) is not served here:
/// UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker answers it.
/// </summary>
public sealed class DescribeClusterHandler : ApiHandler<DescribeClusterRequest>
{
    private readonly MetadataQuorumComponent _metadata;
    private readonly BrokerConfig _config;
    private readonly BrokerIdentity _identity;
    private readonly BrokerEndpoints _endpoints;

    public DescribeClusterHandler(MetadataQuorumComponent metadata, BrokerConfig config, BrokerIdentity identity, BrokerEndpoints endpoints)
    {
        _metadata = metadata;
        _config = config;
        _identity = identity;
        _endpoints = endpoints;
    }

    public override short MinVersion => 0;
    public override short MaxVersion => 1;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeClusterRequest request)
    {
        var response = new DescribeClusterResponse
        {
            ClusterId = _identity.ClusterId,
            EndpointType = request.EndpointType,
            ControllerId = _metadata.Quorum.Log.LeaderId,
            ClusterAuthorizedOperations = request.IncludeClusterAuthorizedOperations ? AuthorizedOperations.Cluster : AuthorizedOperations.NotRequested,
        };
        if (request.EndpointType != 1)
        {
            response.ErrorCode = (short)ErrorCode.UnsupportedEndpointType;
            response.ErrorMessage = "Only broker endpoints (type 1) are served by a broker";
            return ValueTask.FromResult(ApiResponse.Of(response));
        }

        foreach (VisibleBroker b in ClusterBrokers.Visible(_metadata.Quorum.Image, _config, _endpoints, context.Connection.ListenerName))
        {
            response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker { BrokerId = b.Id, Host = b.Host, Port = b.Port, Rack = b.Rack });
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
