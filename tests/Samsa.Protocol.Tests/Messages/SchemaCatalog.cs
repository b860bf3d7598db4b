using System.Text.Json;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>The schema copy, read independently of the generator, so tests know which fields
/// each version of a message carries.</summary>
internal static class SchemaCatalog
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Schemas = new(Load);

    public static IReadOnlyDictionary<string, JsonElement> All => Schemas.Value;

    private static Dictionary<string, JsonElement> Load()
    {
        var result = new Dictionary<string, JsonElement>();
        string root = Path.Combine(AppContext.BaseDirectory, "Schemas");
        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var schema = doc.RootElement.Clone();
            result[schema.GetProperty("name").GetString()!] = schema;
        }
        return result;
    }

    public static (short Low, short High) Range(string? text)
    {
        if (text is null || text == "none")
            return (0, -1);
        if (text.EndsWith('+'))
            return (short.Parse(text[..^1]), short.MaxValue);
        int dash = text.IndexOf('-');
        if (dash > 0)
            return (short.Parse(text[..dash]), short.Parse(text[(dash + 1)..]));
        short v = short.Parse(text);
        return (v, v);
    }

    public static bool InRange(string? text, short version)
    {
        var (low, high) = Range(text);
        return version >= low && version <= high;
    }

    public static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;

    /// <summary>Finds the definition (fields) of a struct type anywhere in a schema.</summary>
    public static JsonElement FindStruct(JsonElement schema, string name)
    {
        if (schema.TryGetProperty("commonStructs", out var common))
            foreach (var s in common.EnumerateArray())
                if (s.GetProperty("name").GetString() == name)
                    return s;
        return Search(schema.GetProperty("fields"), name) ?? throw new InvalidOperationException($"struct {name} not found");
    }

    private static JsonElement? Search(JsonElement fields, string name)
    {
        foreach (var f in fields.EnumerateArray())
        {
            if (!f.TryGetProperty("fields", out var nested))
                continue;
            string type = f.GetProperty("type").GetString()!;
            if (type.TrimStart('[', ']') == name)
                return f;
            if (Search(nested, name) is { } found)
                return found;
        }
        return null;
    }
}
