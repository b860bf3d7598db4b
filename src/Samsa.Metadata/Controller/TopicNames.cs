namespace Samsa.Metadata.Controller;

/// <summary>Kafka's topic name rules.</summary>
public static class TopicNames
{
    /// <summary>The longest legal topic name.</summary>
    public const int MaxLength = 249;

    /// <summary>Null when <paramref name="name"/> is a legal topic name; otherwise Kafka's reason.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "Topic name is illegal, it can't be empty";
        if (name is "." or "..")
            return "Topic name cannot be \".\" or \"..\"";
        if (name.Length > MaxLength)
            return $"Topic name is illegal, it can't be longer than {MaxLength} characters, topic name: {name}";
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-'))
                return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
        }

        return null;
    }

    /// <summary>True when the name has a '.' or '_': such a topic's metric names can collide with another's.</summary>
    public static bool HasCollisionChars(string name) => name.Contains('.') || name.Contains('_');

    /// <summary>The name with '.' mapped to '_': two topics with the same form collide.</summary>
    public static string CollisionForm(string name) => name.Replace('.', '_');
}
