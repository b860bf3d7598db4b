namespace Samsa.Broker.Groups;

/// <summary>One record of <c>__consumer_offsets</c>: an encoded key and value (null value = tombstone).</summary>
public readonly record struct CoordinatorRecord(byte[] Key, byte[]? Value);
