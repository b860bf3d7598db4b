namespace Samsa.Protocol.Records;

/// <summary>A record header to write: a UTF-8 key and a value that may be null.</summary>
public readonly record struct Header(string Key, byte[]? Value);
