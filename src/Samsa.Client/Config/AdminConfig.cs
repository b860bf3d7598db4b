namespace Samsa.Client;

/// <summary>Admin client settings with Kafka's names and defaults (see <see cref="ClientConfig"/>).</summary>
public sealed class AdminConfig : ClientConfig
{
    public AdminConfig() { }

    /// <summary>Creates a config from Kafka properties.</summary>
    public AdminConfig(IEnumerable<KeyValuePair<string, string>> properties) => Apply(properties);

    /// <summary>default.api.timeout.ms (60000): bound of one admin call including retries.</summary>
    public int DefaultApiTimeoutMs { get; set; } = 60000;

    /// <summary>retries (2147483647), bounded by default.api.timeout.ms.</summary>
    public int Retries { get; set; } = int.MaxValue;

    private protected override bool TryApply(string normalizedKey, string key, string value)
    {
        switch (normalizedKey)
        {
            case "defaultapitimeoutms": DefaultApiTimeoutMs = ConfigValue.Int(key, value, 0); return true;
            case "retries": Retries = ConfigValue.Int(key, value, 0); return true;
            default: return base.TryApply(normalizedKey, key, value);
        }
    }
}
