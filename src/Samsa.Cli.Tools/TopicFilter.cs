using System.Text.RegularExpressions;

namespace Samsa.Cli.Tools;

/// <summary>
/// Kafka's <c>--topic</c> for list/describe/alter/delete: a plain topic name matches itself, anything
/// else is a regular expression that must match the whole name (Kafka's include list).
/// </summary>
internal sealed class TopicFilter
{
    private readonly string? _literal;
    private readonly Regex? _pattern;

    private TopicFilter(string? literal, Regex? pattern)
    {
        _literal = literal;
        _pattern = pattern;
    }

    public static TopicFilter All { get; } = new(null, null);

    /// <summary>True when the filter is one exact topic name.</summary>
    public bool IsLiteral => _literal is not null;

    public string? Literal => _literal;

    public static TopicFilter Parse(string? topic)
    {
        if (string.IsNullOrEmpty(topic)) return All;
        if (IsLegalName(topic)) return new TopicFilter(topic, null);
        try
        {
            return new TopicFilter(null, new Regex($"^(?:{topic})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        }
        catch (ArgumentException e)
        {
            throw new ToolException($"Invalid topic pattern '{topic}': {e.Message}", e);
        }
    }

    public bool Matches(string name) => _literal is not null
        ? string.Equals(_literal, name, StringComparison.Ordinal)
        : _pattern is null || _pattern.IsMatch(name);

    /// <summary>Kafka's legal topic names: 1-249 of [a-zA-Z0-9._-], not "." or "..".</summary>
    public static bool IsLegalName(string name)
    {
        if (name.Length is 0 or > 249 || name is "." or "..") return false;
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        }
        return true;
    }

    /// <summary>The reason a name is not a legal topic name, in Kafka's words; null when it is legal.</summary>
    public static string? Illegal(string name)
    {
        if (name.Length == 0) return "Topic name is illegal, it can't be empty";
        if (name is "." or "..") return "Topic name cannot be \".\" or \"..\"";
        if (name.Length > 249) return $"Topic name is illegal, it can't be longer than 249 characters, topic name: {name}";
        if (!IsLegalName(name)) return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
        return null;
    }
}
