using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>Builds a message instance whose every field present in a version holds a value
/// different from its default (or null where the version allows null, in null mode).</summary>
internal sealed class MessageFiller(JsonElement schema, short version, bool nulls, int seed)
{
    private readonly Random _random = new(seed);

    public object Fill(Type type) => FillStruct(type, schema.GetProperty("fields"));

    public static PropertyInfo Property(Type type, string name) =>
        type.GetProperty(name) ?? type.GetProperty(name + "Value") ?? throw new InvalidOperationException($"{type.Name}.{name} missing");

    private object FillStruct(Type type, JsonElement fields)
    {
        object obj = Activator.CreateInstance(type)!;
        foreach (var f in fields.EnumerateArray())
        {
            string versions = SchemaCatalog.Str(f, "taggedVersions") ?? SchemaCatalog.Str(f, "versions")!;
            if (!SchemaCatalog.InRange(versions, version))
                continue;
            var prop = Property(type, f.GetProperty("name").GetString()!);
            bool nullable = SchemaCatalog.InRange(SchemaCatalog.Str(f, "nullableVersions"), version);
            if (nulls && nullable)
            {
                prop.SetValue(obj, null);
                continue;
            }
            prop.SetValue(obj, Value(f, prop.PropertyType, SchemaCatalog.Str(f, "default")));
        }
        return obj;
    }

    private object Value(JsonElement field, Type clrType, string? defaultText)
    {
        string type = field.GetProperty("type").GetString()!;
        if (type.StartsWith("[]", StringComparison.Ordinal))
        {
            var list = (IList)Activator.CreateInstance(clrType)!;
            var elementType = clrType.GetGenericArguments()[0];
            string element = type[2..];
            for (int i = 0; i < 2; i++)
                list.Add(Element(field, element, elementType));
            return list;
        }
        return Element(field, type, clrType, defaultText);
    }

    private object Element(JsonElement field, string type, Type clrType, string? defaultText = null)
    {
        long def = 0;
        if (defaultText is not null && defaultText != "null" && type.StartsWith("int", StringComparison.Ordinal))
            def = defaultText.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToInt64(defaultText[2..], 16) : long.Parse(defaultText);
        long Pick(long min, long max)
        {
            long v;
            do v = _random.NextInt64(min, max); while (v == def);
            return v;
        }
        switch (type)
        {
            case "bool": return !string.Equals(defaultText, "true", StringComparison.OrdinalIgnoreCase);
            case "int8": return (sbyte)Pick(sbyte.MinValue, sbyte.MaxValue);
            case "int16": return (short)Pick(short.MinValue, short.MaxValue);
            case "uint16": return (ushort)Pick(1, ushort.MaxValue);
            case "int32": return (int)Pick(int.MinValue, int.MaxValue);
            case "uint32": return (uint)Pick(1, uint.MaxValue);
            case "int64": return Pick(long.MinValue, long.MaxValue);
            case "float64": return _random.NextDouble() * 1000 + 1;
            case "uuid": return Guid.NewGuid();
            case "string": return "s" + _random.Next(1000) + "é";
            case "bytes": return RandomBytes(1 + _random.Next(6));
            case "records": return (ReadOnlyMemory<byte>?)RandomBytes(1 + _random.Next(40));
            default:
                var fields = field.TryGetProperty("fields", out var inline) ? inline : SchemaCatalog.FindStruct(schema, type).GetProperty("fields");
                return FillStruct(Nullable.GetUnderlyingType(clrType) ?? clrType, fields);
        }
    }

    private byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        _random.NextBytes(bytes);
        return bytes;
    }
}
