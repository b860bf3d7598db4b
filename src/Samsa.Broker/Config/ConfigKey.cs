using System.Globalization;

namespace Samsa.Broker.Config;

/// <summary>Value types of broker config keys (Kafka's ConfigDef types).</summary>
public enum ConfigType
{
    Boolean,
    Short,
    Int,
    Long,
    Double,
    String,
    List,
    Password,
    Class,
}

/// <summary>
/// One config key: its Kafka name, type, default (as Kafka writes it; null means "no default" or
/// "null by default", see <see cref="Required"/>), a validator and one line of documentation.
/// <see cref="Ignored"/> keys are accepted for compatibility and have no effect in Samsa.
/// </summary>
public sealed class ConfigKey
{
    public ConfigKey(string name, ConfigType type, string? defaultValue, string documentation,
        Func<object?, string?>? validator = null, bool required = false, bool ignored = false)
    {
        Name = name;
        Type = type;
        DefaultValue = defaultValue;
        Documentation = documentation;
        Validator = validator;
        Required = required;
        Ignored = ignored;
    }

    public string Name { get; }
    public ConfigType Type { get; }
    public string? DefaultValue { get; }
    public string Documentation { get; }

    /// <summary>Returns null when the parsed value is valid, else the reason it is not.</summary>
    public Func<object?, string?>? Validator { get; }

    public bool Required { get; }
    public bool Ignored { get; }

    /// <summary>Parses a raw value; throws <see cref="ConfigException"/> naming this key.</summary>
    public object? Parse(string? raw)
    {
        if (raw is null) return null;
        string trimmed = Type == ConfigType.Password ? raw : raw.Trim();
        object? value;
        switch (Type)
        {
            case ConfigType.Boolean:
                if (trimmed.Equals("true", StringComparison.OrdinalIgnoreCase)) value = true;
                else if (trimmed.Equals("false", StringComparison.OrdinalIgnoreCase)) value = false;
                else throw new ConfigException(Name, raw, "expected true or false");
                break;
            case ConfigType.Short:
                value = short.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s)
                    ? s : throw new ConfigException(Name, raw, $"not a 16-bit integer ({short.MinValue}..{short.MaxValue})");
                break;
            case ConfigType.Int:
                value = int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                    ? i : throw new ConfigException(Name, raw, $"not a 32-bit integer ({int.MinValue}..{int.MaxValue})");
                break;
            case ConfigType.Long:
                value = long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                    ? l : throw new ConfigException(Name, raw, "not a 64-bit integer");
                break;
            case ConfigType.Double:
                value = double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? d : throw new ConfigException(Name, raw, "not a number");
                break;
            case ConfigType.List:
                value = SplitList(trimmed);
                break;
            default:
                value = trimmed;
                break;
        }
        string? reason = Validator?.Invoke(value);
        if (reason is not null) throw new ConfigException(Name, raw, reason);
        return value;
    }

    internal static IReadOnlyList<string> SplitList(string value)
    {
        if (value.Length == 0) return [];
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        return parts;
    }
}

/// <summary>Validators with Kafka's meaning (atLeast, between, in, ...).</summary>
public static class ConfigValidators
{
    public static Func<object?, string?> AtLeast(long min) =>
        v => v is null || Convert.ToInt64(v, CultureInfo.InvariantCulture) >= min ? null : $"must be at least {min}";

    public static Func<object?, string?> Between(long min, long max) =>
        v => v is null || Convert.ToInt64(v, CultureInfo.InvariantCulture) is var x && x >= min && x <= max
            ? null : $"must be between {min} and {max}";

    public static Func<object?, string?> In(params string[] allowed) =>
        v => v is null || Array.IndexOf(allowed, (string)v) >= 0 ? null : $"must be one of {string.Join(", ", allowed)}";

    public static Func<object?, string?> InIgnoreCase(params string[] allowed) =>
        v => v is null || Array.Exists(allowed, a => a.Equals((string)v, StringComparison.OrdinalIgnoreCase))
            ? null : $"must be one of {string.Join(", ", allowed)}";

    public static Func<object?, string?> ListOf(params string[] allowed) =>
        v =>
        {
            if (v is not IReadOnlyList<string> list) return null;
            foreach (var item in list)
            {
                if (Array.IndexOf(allowed, item) < 0) return $"'{item}' is not one of {string.Join(", ", allowed)}";
            }
            return null;
        };

    public static Func<object?, string?> NonEmptyList() =>
        v => v is IReadOnlyList<string> { Count: 0 } ? "must not be empty" : null;
}
