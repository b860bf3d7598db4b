namespace Samsa.Client;

/// <summary>A configuration value is missing, malformed or out of range; <see cref="Key"/> names it.</summary>
public sealed class KafkaConfigException : ArgumentException
{
    public KafkaConfigException(string key, string message) : base($"Invalid value for '{key}': {message}")
    {
        Key = key;
    }

    public string Key { get; }
}
