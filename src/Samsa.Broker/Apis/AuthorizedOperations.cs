namespace Samsa.Broker.Apis;

/// <summary>
/// The authorized-operations bit sets (Kafka's AclOperation codes) answered without an authorizer:
/// everything a principal may do on a topic or the cluster.
/// </summary>
internal static class AuthorizedOperations
{
    /// <summary>READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS.</summary>
    public const int Topic = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 11);

    /// <summary>CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE.</summary>
    public const int Cluster = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    /// <summary>The value of an authorized-operations field the client did not ask for.</summary>
    public const int NotRequested = int.MinValue;
}
