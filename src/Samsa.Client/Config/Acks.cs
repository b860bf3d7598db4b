namespace Samsa.Client;

/// <summary>acks: how many replicas must have the batch before the broker answers.</summary>
public enum Acks : short
{
    /// <summary>acks=all (-1): every in-sync replica.</summary>
    All = -1,
    /// <summary>acks=0: the broker does not answer.</summary>
    None = 0,
    /// <summary>acks=1: the leader only.</summary>
    Leader = 1,
}
