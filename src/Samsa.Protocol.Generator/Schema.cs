using System.Globalization;

namespace Samsa.Protocol.Generator;

/// <summary>A version range "N", "N-M", "N+" or "none"; empty when Low &gt; High.</summary>
internal readonly struct VersionRange
{
    public VersionRange(short low, short high)
    {
        Low = low;
        High = high;
    }

    public short Low { get; }

    public short High { get; }

    public bool IsEmpty => Low > High;

    public static readonly VersionRange None = new(0, -1);

    public static VersionRange Parse(string? text)
    {
        if (text is null || text.Length == 0 || text == "none")
            return None;
        if (text.EndsWith("+", StringComparison.Ordinal))
            return new VersionRange(short.Parse(text.Substring(0, text.Length - 1), CultureInfo.InvariantCulture), short.MaxValue);
        int dash = text.IndexOf('-');
        if (dash > 0)
            return new VersionRange(
                short.Parse(text.Substring(0, dash), CultureInfo.InvariantCulture),
                short.Parse(text.Substring(dash + 1), CultureInfo.InvariantCulture));
        short v = short.Parse(text, CultureInfo.InvariantCulture);
        return new VersionRange(v, v);
    }

    public VersionRange Intersect(VersionRange other) =>
        new(Math.Max(Low, other.Low), Math.Min(High, other.High));

    public bool Contains(short version) => version >= Low && version <= High;
}

internal enum FieldKind
{
    Bool,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    Float64,
    Uuid,
    String,
    Bytes,
    Records,
    Struct,
}

internal sealed class StructDef
{
    public StructDef(string schemaName, List<FieldDef> fields)
    {
        SchemaName = schemaName;
        ClassName = schemaName;
        Fields = fields;
    }

    public string SchemaName { get; }

    public string ClassName { get; set; }

    public List<FieldDef> Fields { get; }
}

internal sealed class FieldDef
{
    public string Name { get; set; } = "";

    /// <summary>The C# property name: the schema name unless it collides with a generated member.</summary>
    public string Property { get; set; } = "";

    public string TypeText { get; set; } = "";

    public bool IsArray { get; set; }

    /// <summary>The element kind for arrays, the value kind otherwise.</summary>
    public FieldKind Kind { get; set; }

    /// <summary>The struct name (element or value), when Kind is Struct.</summary>
    public string? StructName { get; set; }

    public StructDef? Struct { get; set; }

    public VersionRange Versions { get; set; }

    public VersionRange NullableVersions { get; set; }

    public VersionRange? FlexibleVersions { get; set; }

    public int? Tag { get; set; }

    public VersionRange TaggedVersions { get; set; }

    public string? Default { get; set; }

    public bool Ignorable { get; set; }

    public List<FieldDef>? InlineFields { get; set; }

    public bool IsTagged => Tag.HasValue;

    public bool IsNullableAnywhere => !NullableVersions.IsEmpty;
}

internal sealed class MessageSchema
{
    public string Name { get; set; } = "";

    public string Type { get; set; } = "";

    public short? ApiKey { get; set; }

    public VersionRange ValidVersions { get; set; }

    public VersionRange FlexibleVersions { get; set; }

    public bool LatestVersionUnstable { get; set; }

    public List<FieldDef> Fields { get; set; } = [];

    /// <summary>Every struct of the file (inline and common), in definition order.</summary>
    public List<StructDef> Structs { get; } = [];

    private static readonly Dictionary<string, FieldKind> Primitives = new()
    {
        ["bool"] = FieldKind.Bool,
        ["int8"] = FieldKind.Int8,
        ["int16"] = FieldKind.Int16,
        ["uint16"] = FieldKind.UInt16,
        ["int32"] = FieldKind.Int32,
        ["uint32"] = FieldKind.UInt32,
        ["int64"] = FieldKind.Int64,
        ["float64"] = FieldKind.Float64,
        ["uuid"] = FieldKind.Uuid,
        ["string"] = FieldKind.String,
        ["bytes"] = FieldKind.Bytes,
        ["records"] = FieldKind.Records,
    };

    public static MessageSchema Load(string text)
    {
        if (Json.Parse(text) is not Dictionary<string, object?> root)
            throw new FormatException("schema is not a JSON object");
        var schema = new MessageSchema
        {
            Name = Str(root, "name") ?? throw new FormatException("schema has no name"),
            Type = Str(root, "type") ?? "data",
            ValidVersions = VersionRange.Parse(Str(root, "validVersions")),
            FlexibleVersions = VersionRange.Parse(Str(root, "flexibleVersions")),
            LatestVersionUnstable = root.TryGetValue("latestVersionUnstable", out var u) && u is true,
        };
        if (root.TryGetValue("apiKey", out var key) && key is string keyText)
            schema.ApiKey = short.Parse(keyText, CultureInfo.InvariantCulture);
        if (root.TryGetValue("commonStructs", out var common) && common is List<object?> commonList)
        {
            foreach (var item in commonList)
            {
                var def = (Dictionary<string, object?>)item!;
                var fields = schema.LoadFields(def);
                schema.Structs.Add(new StructDef(Str(def, "name")!, fields));
            }
        }
        schema.Fields = schema.LoadFields(root);
        schema.Resolve(schema.Fields);
        foreach (var s in schema.Structs)
            schema.Resolve(s.Fields);
        schema.Rename();
        return schema;
    }

    private static string? Str(Dictionary<string, object?> obj, string key) =>
        obj.TryGetValue(key, out var v) ? v switch { string s => s, bool b => b ? "true" : "false", _ => null } : null;

    private List<FieldDef> LoadFields(Dictionary<string, object?> owner)
    {
        var result = new List<FieldDef>();
        if (!owner.TryGetValue("fields", out var fieldsValue) || fieldsValue is not List<object?> fields)
            return result;
        foreach (var item in fields)
        {
            var f = (Dictionary<string, object?>)item!;
            string type = Str(f, "type") ?? throw new FormatException("field without type");
            var field = new FieldDef
            {
                Name = Str(f, "name") ?? throw new FormatException("field without name"),
                TypeText = type,
                Versions = VersionRange.Parse(Str(f, "versions")),
                NullableVersions = VersionRange.Parse(Str(f, "nullableVersions")),
                Default = Str(f, "default"),
                Ignorable = Str(f, "ignorable") == "true",
            };
            field.Property = field.Name;
            if (f.ContainsKey("flexibleVersions"))
                field.FlexibleVersions = VersionRange.Parse(Str(f, "flexibleVersions"));
            if (f.TryGetValue("tag", out var tag) && tag is string tagText)
            {
                field.Tag = int.Parse(tagText, CultureInfo.InvariantCulture);
                field.TaggedVersions = VersionRange.Parse(Str(f, "taggedVersions"));
            }
            string element = type;
            if (type.StartsWith("[]", StringComparison.Ordinal))
            {
                field.IsArray = true;
                element = type.Substring(2);
            }
            if (Primitives.TryGetValue(element, out var kind))
            {
                field.Kind = kind;
            }
            else
            {
                field.Kind = FieldKind.Struct;
                field.StructName = element;
                if (f.ContainsKey("fields"))
                {
                    var nested = LoadFields(f);
                    Structs.Add(new StructDef(element, nested));
                }
            }
            result.Add(field);
        }
        return result;
    }

    private void Resolve(List<FieldDef> fields)
    {
        foreach (var f in fields)
        {
            if (f.Kind != FieldKind.Struct)
                continue;
            f.Struct = Structs.Find(s => s.SchemaName == f.StructName)
                ?? throw new FormatException($"{Name}: unknown struct type {f.StructName}");
        }
    }

    private static readonly HashSet<string> Reserved =
        ["Read", "Write", "Size", "UnknownTaggedFields", "IsDefaultValue", "Equals", "GetHashCode", "ToString", "GetType"];

    // Static members of message classes only.
    private static readonly HashSet<string> ReservedAtRoot =
        ["ApiKey", "RecordType", "LowestSupportedVersion", "HighestSupportedVersion"];

    /// <summary>Deterministic renames that keep C# legal: a property named like a generated member
    /// gets the suffix "Value"; a struct class named like a root property, like one of its own
    /// properties or like the message gets the suffix "Data" (repeated until unique).</summary>
    private void Rename()
    {
        foreach (var f in Fields)
            if (Reserved.Contains(f.Name) || ReservedAtRoot.Contains(f.Name) || f.Name == Name)
                f.Property = f.Name + "Value";
        foreach (var s in Structs)
            foreach (var f in s.Fields)
                if (Reserved.Contains(f.Name))
                    f.Property = f.Name + "Value";
        var taken = new HashSet<string>(Structs.Select(s => s.SchemaName)) { Name };
        foreach (var f in Fields)
            taken.Add(f.Property);
        foreach (var s in Structs)
        {
            bool clash = s.SchemaName == Name
                || Fields.Exists(f => f.Property == s.SchemaName)
                || s.Fields.Exists(f => f.Property == s.SchemaName);
            if (!clash)
                continue;
            string candidate = s.SchemaName + "Data";
            while (taken.Contains(candidate) || s.Fields.Exists(f => f.Property == candidate))
                candidate += "Data";
            taken.Add(candidate);
            s.ClassName = candidate;
        }
    }
}
