namespace Samsa.Broker.Requests;

/// <summary>The request header fields the broker uses, read without allocating (client id aside).</summary>
public readonly record struct RequestHeaderInfo(short ApiKey, short ApiVersion, int CorrelationId, string? ClientId, int BodyOffset);
