namespace Samsa.Broker.Config;

/// <summary>
/// A config value that cannot be used. The message is one line naming the key, the value and why,
/// fit to print as the only output of a failed start.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string key, string? value, string reason)
        : base(value is null ? $"Invalid config {key}: {reason}" : $"Invalid value '{value}' for config {key}: {reason}")
    {
        Key = key;
        Value = value;
        Reason = reason;
    }

    public ConfigException(string message) : base(message)
    {
        Key = "";
        Reason = message;
    }

    public ConfigException() : this("invalid configuration") { }

    public ConfigException(string message, Exception innerException) : base(message, innerException)
    {
        Key = "";
        Reason = message;
    }

    public string Key { get; }
    public string? Value { get; }
    public string Reason { get; }
}
