namespace Samsa.Broker.Hosting;

/// <summary>Who this node is: the cluster id from <c>meta.properties</c> and the configured node id.</summary>
public sealed record BrokerIdentity(string ClusterId, int NodeId);
