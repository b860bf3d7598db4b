namespace Samsa.Protocol;

/// <summary>The versions of one API that Samsa's schemas describe.</summary>
public readonly record struct ApiVersionRange(ApiKey ApiKey, short MinVersion, short MaxVersion);
