using System.Globalization;

namespace Samsa.Client;

/// <summary>Parses Kafka property strings; every failure names the key and the accepted range.</summary>
internal static class ConfigValue
{
    public static int Int(string key, string value, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var result))
            throw new KafkaConfigException(key, $"'{value}' is not an integer.");
        return Range(key, result, min, max);
    }

    public static long Long(string key, string value, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var result))
            throw new KafkaConfigException(key, $"'{value}' is not an integer.");
        if (result < min || result > max)
            throw new KafkaConfigException(key, $"{result} is outside [{min}, {max}].");
        return result;
    }

    public static int Range(string key, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new KafkaConfigException(key, $"{value} is outside [{min}, {max}].");
        return value;
    }

    public static bool Bool(string key, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new KafkaConfigException(key, $"'{value}' is not true or false."),
    };

    public static string NonEmpty(string key, string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new KafkaConfigException(key, "must not be empty.");
        return value.Trim();
    }

    public static string? Optional(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static string[] List(string value)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts;
    }

    /// <summary>Kafka names ("bootstrap.servers") and .NET names ("BootstrapServers") compare equal.</summary>
    public static string Normalize(string key)
    {
        Span<char> buffer = stackalloc char[Math.Min(key.Length, 256)];
        var n = 0;
        foreach (var c in key)
        {
            if (c is '.' or '-' or '_') continue;
            if (n == buffer.Length) break;
            buffer[n++] = char.ToLowerInvariant(c);
        }
        return new string(buffer[..n]);
    }
}
