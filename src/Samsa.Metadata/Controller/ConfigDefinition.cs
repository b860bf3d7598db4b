using System.Globalization;

namespace Samsa.Metadata.Controller;

/// <summary>Kafka's config value types (the <c>ConfigType</c> of DescribeConfigs v3+).</summary>
public enum ConfigType : sbyte
{
    Unknown = 0,
    Boolean = 1,
    String = 2,
    Int = 3,
    Short = 4,
    Long = 5,
    Double = 6,
    List = 7,
    Class = 8,
    Password = 9,
}

/// <summary>
/// One config key: its type, default, allowed values and the broker configs that supply its default
/// (Kafka's synonyms, most specific first, e.g. <c>log.retention.ms</c>, <c>log.retention.minutes</c>,
/// <c>log.retention.hours</c> for <c>retention.ms</c>).
/// </summary>
public sealed class ConfigDefinition
{
    private readonly Func<string, string?>? check;

    public ConfigDefinition(string name, ConfigType type, string? defaultValue, Func<string, string?>? check = null,
        IReadOnlyList<BrokerSynonym>? synonyms = null, bool sensitive = false, bool readOnly = false)
    {
        Name = name;
        Type = type;
        DefaultValue = defaultValue;
        this.check = check;
        Synonyms = synonyms ?? [];
        IsSensitive = sensitive;
        IsReadOnly = readOnly;
    }

    public string Name { get; }

    public ConfigType Type { get; }

    /// <summary>The built-in default, or null when there is none.</summary>
    public string? DefaultValue { get; }

    /// <summary>Broker configs that set this key's default, most specific first.</summary>
    public IReadOnlyList<BrokerSynonym> Synonyms { get; }

    public bool IsSensitive { get; }

    /// <summary>True when the key cannot be changed at runtime through the config APIs.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Returns null when <paramref name="value"/> is valid, or why it is not.</summary>
    public string? Validate(string value)
    {
        var typeError = Type switch
        {
            ConfigType.Boolean => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase)
                ? null : "Expected value to be either true or false",
            ConfigType.Int => int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "Not a number of type INT",
            ConfigType.Short => short.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "Not a number of type SHORT",
            ConfigType.Long => long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? null : "Not a number of type LONG",
            ConfigType.Double => double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? null : "Not a number of type DOUBLE",
            _ => null,
        };
        return typeError ?? check?.Invoke(value.Trim());
    }
}

/// <summary>A broker config that supplies a topic config's default; <see cref="Scale"/> converts its unit (hours to ms...).</summary>
public sealed record BrokerSynonym(string Name, long Scale = 1);

/// <summary>Validators shared by the config catalogs.</summary>
internal static class ConfigChecks
{
    public static Func<string, string?> AtLeast(long min) => v =>
        long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n < min
            ? $"Value must be at least {min}" : null;

    public static Func<string, string?> Between(double min, double max) => v =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && (n < min || n > max)
            ? $"Value must be in the range [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]" : null;

    public static Func<string, string?> OneOf(params string[] allowed) => v =>
        Array.Exists(allowed, a => a.Equals(v, StringComparison.Ordinal)) ? null : $"String must be one of: {string.Join(", ", allowed)}";

    /// <summary>A comma-separated list whose items are each one of <paramref name="allowed"/>.</summary>
    public static Func<string, string?> ListOf(params string[] allowed) => v =>
    {
        foreach (var item in v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Array.Exists(allowed, a => a.Equals(item, StringComparison.Ordinal)))
                return $"Invalid value {item}: must be one of [{string.Join(", ", allowed)}]";
        }

        return null;
    };
}
