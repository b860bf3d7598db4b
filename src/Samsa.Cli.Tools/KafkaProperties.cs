namespace Samsa.Cli.Tools;

/// <summary>
/// Kafka-style <c>key=value</c> settings: the repeatable <c>--property</c>/<c>--config</c> options and
/// Java .properties files (<c>--command-config</c>, <c>--producer.config</c>, ...).
/// </summary>
internal static class KafkaProperties
{
    /// <summary>Parses <c>key=value</c> pairs (the value may itself hold '='); later keys win.</summary>
    /// <exception cref="ToolException">A pair without '=' or with an empty key.</exception>
    public static Dictionary<string, string> ParsePairs(IEnumerable<string>? pairs, string optionName)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (pairs is null) return result;
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ToolException($"Invalid {optionName} '{pair}': expected key=value.");
            result[pair[..eq].Trim()] = pair[(eq + 1)..];
        }
        return result;
    }

    /// <summary>Reads a .properties file: '#'/'!' comments, key=value or key:value, trailing '\' continues a line.</summary>
    /// <exception cref="ToolException">The file is missing or unreadable.</exception>
    public static Dictionary<string, string> LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"Cannot read properties file {path}: {e.Message}", e);
        }
        return Parse(text);
    }

    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimStart();
            if (line.Length == 0 || line[0] is '#' or '!') continue;
            while (line.EndsWith('\\') && i + 1 < lines.Length) line = line[..^1] + lines[++i].TrimStart();
            int sep = line.IndexOfAny(['=', ':']);
            if (sep < 0)
            {
                result[line.Trim()] = "";
                continue;
            }
            result[line[..sep].Trim()] = line[(sep + 1)..].Trim();
        }
        return result;
    }
}
