using System.Globalization;

namespace Samsa.Protocol.Generator;

/// <summary>Emits one schema as a C# class with nested classes for its structs.</summary>
internal sealed class MessageEmitter
{
    private const string Proto = "global::Samsa.Protocol.";
    private const string ListType = "global::System.Collections.Generic.List";
    private readonly MessageSchema _schema;
    private readonly string _namespace;
    private readonly CodeWriter _w = new();
    private int _temp;

    private MessageEmitter(MessageSchema schema, string ns)
    {
        _schema = schema;
        _namespace = ns;
    }

    public static string Emit(MessageSchema schema, string ns)
    {
        var emitter = new MessageEmitter(schema, ns);
        emitter.EmitFile();
        return emitter._w.ToString();
    }

    private string Temp(string name) => name + (_temp++).ToString(CultureInfo.InvariantCulture);

    private string Fq(StructDef s) => "global::" + _namespace + "." + _schema.Name + "." + s.ClassName;

    // ---- versions -------------------------------------------------------------------------

    /// <summary>"true", "false" or a C# condition on <c>version</c>, simplified within the valid range.</summary>
    private string Cond(VersionRange range, VersionRange? within = null)
    {
        var valid = within is { } w ? w.Intersect(_schema.ValidVersions) : _schema.ValidVersions;
        var effective = range.Intersect(valid);
        if (effective.IsEmpty)
            return "false";
        var parts = new List<string>();
        if (effective.Low > valid.Low)
            parts.Add("version >= " + effective.Low.ToString(CultureInfo.InvariantCulture));
        if (effective.High < valid.High)
            parts.Add("version <= " + effective.High.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "true" : string.Join(" && ", parts);
    }

    private static string And(string a, string b) =>
        a == "true" ? b : b == "true" ? a : a == "false" || b == "false" ? "false" : "(" + a + ") && " + b;

    private static string Not(string c) => c == "true" ? "false" : c == "false" ? "true" : "!(" + c + ")";

    private void If(string cond, Action then, Action? otherwise = null)
    {
        if (cond == "true")
        {
            then();
            return;
        }
        if (cond == "false")
        {
            otherwise?.Invoke();
            return;
        }
        _w.Open("if (" + cond + ")");
        then();
        _w.Close();
        if (otherwise is not null)
        {
            _w.Open("else");
            otherwise();
            _w.Close();
        }
    }

    // Both are evaluated only where the field is present, so they simplify within its versions.
    private string Compact(FieldDef f) => Cond(f.FlexibleVersions ?? _schema.FlexibleVersions, f.Versions);

    private string NullableCond(FieldDef f) => Cond(f.NullableVersions, f.Versions);

    // ---- types and defaults ---------------------------------------------------------------

    private string ElementType(FieldDef f) => f.Kind switch
    {
        FieldKind.Bool => "bool",
        FieldKind.Int8 => "sbyte",
        FieldKind.Int16 => "short",
        FieldKind.UInt16 => "ushort",
        FieldKind.Int32 => "int",
        FieldKind.UInt32 => "uint",
        FieldKind.Int64 => "long",
        FieldKind.Float64 => "double",
        FieldKind.Uuid => "global::System.Guid",
        FieldKind.String => "string",
        FieldKind.Bytes => "byte[]",
        FieldKind.Records => "global::System.ReadOnlyMemory<byte>?",
        _ => Fq(f.Struct!),
    };

    private string PropertyType(FieldDef f)
    {
        string q = f.IsNullableAnywhere || f.Default == "null" ? "?" : "";
        if (f.IsArray)
            return ListType + "<" + ElementType(f) + ">" + q;
        return f.Kind switch
        {
            FieldKind.Records => ElementType(f),
            FieldKind.String or FieldKind.Bytes or FieldKind.Struct => ElementType(f) + q,
            _ => ElementType(f),
        };
    }

    private static int FixedSize(FieldKind kind) => kind switch
    {
        FieldKind.Bool or FieldKind.Int8 => 1,
        FieldKind.Int16 or FieldKind.UInt16 => 2,
        FieldKind.Int32 or FieldKind.UInt32 => 4,
        FieldKind.Int64 or FieldKind.Float64 => 8,
        FieldKind.Uuid => 16,
        _ => 0,
    };

    private static string IntegerLiteral(string? text, FieldKind kind)
    {
        long value = 0;
        if (text is not null && text.Length > 0)
        {
            bool negative = text.StartsWith("-", StringComparison.Ordinal);
            string digits = negative ? text.Substring(1) : text;
            value = digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? (long)ulong.Parse(digits.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : long.Parse(digits, CultureInfo.InvariantCulture);
            if (negative)
                value = -value;
        }
        string literal = value.ToString(CultureInfo.InvariantCulture);
        return kind switch
        {
            FieldKind.Int64 => literal + "L",
            FieldKind.UInt32 => literal + "U",
            _ => literal,
        };
    }

    private static string StringLiteral(string value)
    {
        var sb = new System.Text.StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ')
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    private string DefaultValue(FieldDef f)
    {
        bool isNull = f.Default == "null";
        if (f.IsArray)
            return isNull ? "null" : "new()";
        switch (f.Kind)
        {
            case FieldKind.Bool:
                return string.Equals(f.Default, "true", StringComparison.OrdinalIgnoreCase) ? "true" : "false";
            case FieldKind.Int8:
            case FieldKind.Int16:
            case FieldKind.UInt16:
            case FieldKind.Int32:
            case FieldKind.UInt32:
            case FieldKind.Int64:
                return IntegerLiteral(f.Default, f.Kind);
            case FieldKind.Float64:
                return f.Default is null ? "0d"
                    : double.Parse(f.Default, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture) + "d";
            case FieldKind.Uuid:
                return "global::System.Guid.Empty";
            case FieldKind.String:
                return isNull ? "null" : StringLiteral(f.Default ?? "");
            case FieldKind.Bytes:
                return isNull ? "null" : "global::System.Array.Empty<byte>()";
            case FieldKind.Records:
                return isNull || f.IsNullableAnywhere ? "null" : "global::System.ReadOnlyMemory<byte>.Empty";
            default:
                return isNull ? "null" : "new()";
        }
    }

    /// <summary>A C# condition true when <paramref name="p"/> differs from the field's default.</summary>
    private string NonDefault(FieldDef f, string p)
    {
        string def = DefaultValue(f);
        if (f.IsArray)
            return def == "null" ? p + " is not null" : "(" + p + " is null || " + p + ".Count != 0)";
        switch (f.Kind)
        {
            case FieldKind.Bool:
                return def == "true" ? "!" + p : p;
            case FieldKind.Uuid:
                return p + " != global::System.Guid.Empty";
            case FieldKind.String:
                return def == "null" ? p + " is not null" : "!string.Equals(" + p + ", " + def + ", global::System.StringComparison.Ordinal)";
            case FieldKind.Bytes:
                return def == "null" ? p + " is not null" : "(" + p + " is null || " + p + ".Length != 0)";
            case FieldKind.Records:
                return def == "null" ? p + ".HasValue" : "(!" + p + ".HasValue || " + p + ".GetValueOrDefault().Length != 0)";
            case FieldKind.Struct:
                return def == "null" ? p + " is not null" : "(" + p + " is null || !" + p + ".IsDefaultValue())";
            default:
                return p + " != " + def;
        }
    }

    private static string Throw(string exception, string message) =>
        "throw new " + Proto + exception + "(" + message + ");";

    private static string NullError(FieldDef f) =>
        Throw("InvalidLengthException", "$\"Non-nullable field " + f.Name + " is null at version {version}.\"");

    // ---- read -------------------------------------------------------------------------------

    private static string ReadPrimitive(FieldKind kind, string r) => kind switch
    {
        FieldKind.Bool => r + ".ReadBool()",
        FieldKind.Int8 => r + ".ReadInt8()",
        FieldKind.Int16 => r + ".ReadInt16()",
        FieldKind.UInt16 => r + ".ReadUInt16()",
        FieldKind.Int32 => r + ".ReadInt32()",
        FieldKind.UInt32 => r + ".ReadUInt32()",
        FieldKind.Int64 => r + ".ReadInt64()",
        FieldKind.Float64 => r + ".ReadFloat64()",
        FieldKind.Uuid => r + ".ReadUuid()",
        _ => throw new InvalidOperationException("not a fixed-size kind"),
    };

    private string ReadElement(FieldDef f, string r, string compact) => f.Kind switch
    {
        FieldKind.String => r + ".ReadString(" + compact + ")",
        FieldKind.Bytes => r + ".ReadBytes(" + compact + ")",
        FieldKind.Struct => Fq(f.Struct!) + ".Read(ref " + r + ", version)",
        FieldKind.Records => throw new FormatException("arrays of records are not supported"),
        _ => ReadPrimitive(f.Kind, r),
    };

    private void EmitRead(FieldDef f, string target, string r)
    {
        string c = Compact(f);
        string n = NullableCond(f);
        if (f.IsArray)
        {
            string count = Temp("count");
            if (n == "false")
            {
                _w.Line("int " + count + " = " + r + ".ReadNonNullArrayLength(" + c + ");");
            }
            else
            {
                _w.Line("int " + count + " = " + r + ".ReadArrayLength(" + c + ");");
                _w.Open("if (" + count + " < 0)");
                If(n, () => _w.Line(target + " = null;"), () => _w.Line(NullError(f)));
                _w.Close();
                _w.Open("else");
            }
            string list = Temp("list");
            string i = Temp("i");
            _w.Line("var " + list + " = new " + ListType + "<" + ElementType(f) + ">(" + count + ");");
            _w.Line("for (int " + i + " = 0; " + i + " < " + count + "; " + i + "++)");
            _w.Line("    " + list + ".Add(" + ReadElement(f, r, c) + ");");
            _w.Line(target + " = " + list + ";");
            if (n != "false")
                _w.Close();
            return;
        }
        switch (f.Kind)
        {
            case FieldKind.Struct:
                string read = Fq(f.Struct!) + ".Read(ref " + r + ", version)";
                If(n,
                    () => _w.Line(target + " = " + r + ".ReadInt8() < 0 ? null : " + read + ";"),
                    () => _w.Line(target + " = " + read + ";"));
                break;
            case FieldKind.Records:
                _w.Line(target + " = " + r + ".ReadRecords(" + c + ");");
                if (n != "true")
                    _w.Line("if (!" + target + ".HasValue" + (n == "false" ? "" : " && " + Not(n)) + ") " + NullError(f));
                break;
            case FieldKind.String:
            case FieldKind.Bytes:
                string method = f.Kind == FieldKind.String ? "String" : "Bytes";
                string nullable = r + ".ReadNullable" + method + "(" + c + ")";
                string plain = r + ".Read" + method + "(" + c + ")";
                _w.Line(target + " = " + (n == "true" ? nullable : n == "false" ? plain : "(" + n + ") ? " + nullable + " : " + plain) + ";");
                break;
            default:
                _w.Line(target + " = " + ReadPrimitive(f.Kind, r) + ";");
                break;
        }
    }

    // ---- write ------------------------------------------------------------------------------

    private static string WritePrimitive(FieldKind kind, string v) => kind switch
    {
        FieldKind.Bool => "writer.WriteBool(" + v + ");",
        FieldKind.Int8 => "writer.WriteInt8(" + v + ");",
        FieldKind.Int16 => "writer.WriteInt16(" + v + ");",
        FieldKind.UInt16 => "writer.WriteUInt16(" + v + ");",
        FieldKind.Int32 => "writer.WriteInt32(" + v + ");",
        FieldKind.UInt32 => "writer.WriteUInt32(" + v + ");",
        FieldKind.Int64 => "writer.WriteInt64(" + v + ");",
        FieldKind.Float64 => "writer.WriteFloat64(" + v + ");",
        FieldKind.Uuid => "writer.WriteUuid(" + v + ");",
        _ => throw new InvalidOperationException("not a fixed-size kind"),
    };

    private void EmitWrite(FieldDef f, string p)
    {
        string c = Compact(f);
        string n = NullableCond(f);
        if (f.IsArray)
        {
            _w.Open("if (" + p + " is null)");
            If(n, () => _w.Line("writer.WriteArrayLength(-1, " + c + ");"), () => _w.Line(NullError(f)));
            _w.Close();
            _w.Open("else");
            _w.Line("writer.WriteArrayLength(" + p + ".Count, " + c + ");");
            string item = Temp("item");
            _w.Open("foreach (var " + item + " in " + p + ")");
            switch (f.Kind)
            {
                case FieldKind.Struct:
                    _w.Line(item + ".Write(ref writer, version);");
                    break;
                case FieldKind.String:
                    _w.Line("writer.WriteString(" + item + " ?? " + NullError(f).TrimEnd(';') + ", " + c + ");");
                    break;
                case FieldKind.Bytes:
                    _w.Line("writer.WriteBytes(" + item + " ?? " + NullError(f).TrimEnd(';') + ", " + c + ");");
                    break;
                default:
                    _w.Line(WritePrimitive(f.Kind, item));
                    break;
            }
            _w.Close();
            _w.Close();
            return;
        }
        switch (f.Kind)
        {
            case FieldKind.Struct:
                _w.Open("if (" + p + " is null)");
                If(n, () => _w.Line("writer.WriteInt8(-1);"), () => _w.Line(NullError(f)));
                _w.Close();
                _w.Open("else");
                If(n, () => _w.Line("writer.WriteInt8(1);"));
                _w.Line(p + ".Write(ref writer, version);");
                _w.Close();
                break;
            case FieldKind.String:
            case FieldKind.Bytes:
            case FieldKind.Records:
                string isNull = f.Kind == FieldKind.Records ? "!" + p + ".HasValue" : p + " is null";
                if (n != "true")
                    _w.Line("if (" + isNull + (n == "false" ? "" : " && " + Not(n)) + ") " + NullError(f));
                string method = f.Kind == FieldKind.String ? "WriteString" : f.Kind == FieldKind.Bytes ? "WriteBytes" : "WriteRecords";
                _w.Line("writer." + method + "(" + p + ", " + c + ");");
                break;
            default:
                _w.Line(WritePrimitive(f.Kind, p));
                break;
        }
    }

    // ---- size -------------------------------------------------------------------------------

    private void EmitSize(FieldDef f, string p, string acc)
    {
        string c = Compact(f);
        string n = NullableCond(f);
        if (f.IsArray)
        {
            _w.Open("if (" + p + " is null)");
            _w.Line(acc + " += " + Proto + "WireSize.ArrayLength(-1, " + c + ");");
            _w.Close();
            _w.Open("else");
            _w.Line(acc + " += " + Proto + "WireSize.ArrayLength(" + p + ".Count, " + c + ");");
            int fixedSize = FixedSize(f.Kind);
            if (fixedSize > 0)
            {
                _w.Line(acc + " += " + p + ".Count * " + fixedSize.ToString(CultureInfo.InvariantCulture) + ";");
            }
            else
            {
                string item = Temp("item");
                _w.Open("foreach (var " + item + " in " + p + ")");
                _w.Line(f.Kind switch
                {
                    FieldKind.Struct => acc + " += " + item + ".Size(version);",
                    FieldKind.String => acc + " += " + Proto + "WireSize.String(" + item + ", " + c + ");",
                    _ => acc + " += " + Proto + "WireSize.Bytes(" + item + ", " + c + ");",
                });
                _w.Close();
            }
            _w.Close();
            return;
        }
        switch (f.Kind)
        {
            case FieldKind.Struct:
                if (n != "false")
                    _w.Line(acc + " += " + (n == "true" ? "1" : "(" + n + ") ? 1 : 0") + ";");
                _w.Line("if (" + p + " is not null) " + acc + " += " + p + ".Size(version);");
                break;
            case FieldKind.String:
                _w.Line(acc + " += " + Proto + "WireSize.String(" + p + ", " + c + ");");
                break;
            case FieldKind.Bytes:
                _w.Line(acc + " += " + Proto + "WireSize.Bytes(" + p + ", " + c + ");");
                break;
            case FieldKind.Records:
                _w.Line(acc + " += " + Proto + "WireSize.Records(" + p + ", " + c + ");");
                break;
            default:
                _w.Line(acc + " += " + FixedSize(f.Kind).ToString(CultureInfo.InvariantCulture) + ";");
                break;
        }
    }

    // ---- classes ----------------------------------------------------------------------------

    private void EmitFile()
    {
        _w.Line("// <auto-generated/>");
        _w.Line("// Generated from the " + _schema.Name + " schema; do not edit.");
        _w.Line("#nullable enable");
        _w.Line("#pragma warning disable CS8618");
        _w.Line("namespace " + _namespace + ";");
        _w.Line();
        EmitClass(_schema.Name, _schema.Fields, root: true);
    }

    private void EmitClass(string className, List<FieldDef> fields, bool root)
    {
        var s = _schema;
        bool api = s.Type is "request" or "response";
        if (root)
        {
            string iface = api ? "IKafkaApiMessage" : "IKafkaMessage";
            _w.Open("public sealed partial class " + className + " : " + Proto + iface + "<" + className + ">");
            _w.Line("public static short LowestSupportedVersion => " + s.ValidVersions.Low.ToString(CultureInfo.InvariantCulture) + ";");
            _w.Line();
            _w.Line("public static short HighestSupportedVersion => " + s.ValidVersions.High.ToString(CultureInfo.InvariantCulture) + ";");
            _w.Line();
            if (s.ApiKey is short key)
            {
                _w.Line(api
                    ? "public static " + Proto + "ApiKey ApiKey => (" + Proto + "ApiKey)" + key.ToString(CultureInfo.InvariantCulture) + ";"
                    : "public static short RecordType => " + key.ToString(CultureInfo.InvariantCulture) + ";");
                _w.Line();
            }
        }
        else
        {
            _w.Open("public sealed partial class " + className);
        }

        foreach (var f in fields)
        {
            _w.Line("public " + PropertyType(f) + " " + f.Property + " { get; set; }");
            _w.Line();
        }
        _w.Line("/// <summary>Tagged fields read but not known to this schema; written back as they came.</summary>");
        _w.Line("public " + ListType + "<" + Proto + "RawTaggedField>? UnknownTaggedFields { get; set; }");
        _w.Line();

        _w.Open("public " + className + "()");
        foreach (var f in fields)
            _w.Line(f.Property + " = " + DefaultValue(f) + ";");
        _w.Close();
        _w.Line();
        _w.Line("// Used by Read, which assigns every property itself.");
        _w.Line("private " + className + "(bool _) { }");
        _w.Line();

        EmitReadMethod(className, fields, root);
        _w.Line();
        EmitWriteMethods(fields, root);
        _w.Line();
        EmitSizeMethod(fields);
        _w.Line();
        _w.Open("internal bool IsDefaultValue()");
        _w.Line("if (UnknownTaggedFields is { Count: > 0 }) return false;");
        foreach (var f in fields)
            _w.Line("if (" + NonDefault(f, "this." + f.Property) + ") return false;");
        _w.Line("return true;");
        _w.Close();

        if (root)
        {
            foreach (var st in s.Structs)
            {
                _w.Line();
                EmitClass(st.ClassName, st.Fields, root: false);
            }
        }
        _w.Close();
    }

    private void VersionCheck()
    {
        var v = _schema.ValidVersions;
        _w.Line("if (version < " + v.Low.ToString(CultureInfo.InvariantCulture) + " || version > " + v.High.ToString(CultureInfo.InvariantCulture) + ") "
            + Throw("UnsupportedVersionException", "$\"" + _schema.Name + " does not support version {version}.\""));
    }

    private static List<FieldDef> Tagged(List<FieldDef> fields)
    {
        var tagged = fields.Where(f => f.IsTagged).ToList();
        tagged.Sort((a, b) => a.Tag!.Value.CompareTo(b.Tag!.Value));
        return tagged;
    }

    private void EmitReadMethod(string className, List<FieldDef> fields, bool root)
    {
        _w.Open("public static " + className + " Read(ref " + Proto + "KafkaReader reader, short version)");
        if (root)
            VersionCheck();
        _w.Line("var result = new " + className + "(false);");
        foreach (var f in fields)
        {
            if (f.IsTagged)
            {
                _w.Line("result." + f.Property + " = " + DefaultValue(f) + ";");
                continue;
            }
            If(Cond(f.Versions),
                () => EmitRead(f, "result." + f.Property, "reader"),
                () => _w.Line("result." + f.Property + " = " + DefaultValue(f) + ";"));
        }
        var tagged = Tagged(fields);
        If(Cond(_schema.FlexibleVersions), () =>
        {
            _w.Line("int taggedCount = reader.ReadTaggedFieldCount();");
            _w.Line(ListType + "<" + Proto + "RawTaggedField>? unknown = null;");
            _w.Open("for (int t = 0; t < taggedCount; t++)");
            _w.Line("var tagged = reader.ReadTaggedField(out int tag);");
            var known = tagged.Where(f => Cond(f.TaggedVersions) != "false").ToList();
            if (known.Count == 0)
            {
                _w.Line(Proto + "KafkaReader.AddUnknown(ref unknown, tag, ref tagged);");
            }
            else
            {
                _w.Open("switch (tag)");
                foreach (var f in known)
                {
                    string cond = Cond(f.TaggedVersions);
                    _w.Line("case " + f.Tag!.Value.ToString(CultureInfo.InvariantCulture) + (cond == "true" ? "" : " when " + cond) + ":");
                    _w.Open("");
                    EmitRead(f, "result." + f.Property, "tagged");
                    _w.Line("break;");
                    _w.Close();
                }
                _w.Line("default:");
                _w.Line("    " + Proto + "KafkaReader.AddUnknown(ref unknown, tag, ref tagged);");
                _w.Line("    break;");
                _w.Close();
            }
            _w.Close();
            _w.Line("result.UnknownTaggedFields = unknown;");
        });
        _w.Line("return result;");
        _w.Close();
    }

    private void EmitWriteMethods(List<FieldDef> fields, bool root)
    {
        _w.Open("public void Write(global::System.Buffers.IBufferWriter<byte> output, short version)");
        _w.Line("var writer = new " + Proto + "KafkaWriter(output);");
        _w.Line("Write(ref writer, version);");
        _w.Line("writer.Flush();");
        _w.Close();
        _w.Line();
        _w.Open("public void Write(ref " + Proto + "KafkaWriter writer, short version)");
        if (root)
            VersionCheck();
        foreach (var f in fields)
        {
            string p = "this." + f.Property;
            string present = Cond(f.IsTagged ? f.TaggedVersions : f.Versions);
            string absentCheck = "if (" + NonDefault(f, p) + ") "
                + Throw("UnsupportedVersionException", "$\"Attempted to write a non-default " + f.Name + " at version {version}.\"");
            if (f.IsTagged)
            {
                if (!f.Ignorable && present != "true")
                {
                    if (present == "false")
                        _w.Line(absentCheck);
                    else
                        If(Not(present), () => _w.Line(absentCheck));
                }
                continue;
            }
            If(present, () => EmitWrite(f, p), f.Ignorable ? null : () => _w.Line(absentCheck));
        }
        var tagged = Tagged(fields).Where(f => Cond(f.TaggedVersions) != "false").ToList();
        If(Cond(_schema.FlexibleVersions), () =>
        {
            _w.Line("var unknown = this.UnknownTaggedFields;");
            _w.Line("int unknownCount = unknown?.Count ?? 0;");
            _w.Line("int taggedCount = unknownCount;");
            foreach (var f in tagged)
                _w.Line("if (" + And(Cond(f.TaggedVersions), NonDefault(f, "this." + f.Property)) + ") taggedCount++;");
            _w.Line("writer.WriteUnsignedVarint((uint)taggedCount);");
            _w.Line("if (unknownCount > 1) unknown!.Sort(" + Proto + "RawTaggedField.ByTag);");
            _w.Line("int next = 0;");
            foreach (var f in tagged)
            {
                string p = "this." + f.Property;
                string tag = f.Tag!.Value.ToString(CultureInfo.InvariantCulture);
                _w.Open("if (" + And(Cond(f.TaggedVersions), NonDefault(f, p)) + ")");
                _w.Line("while (next < unknownCount && unknown![next].Tag < " + tag + ") writer.WriteRawTaggedField(unknown[next++]);");
                _w.Line("int fieldSize = 0;");
                EmitSize(f, p, "fieldSize");
                _w.Line("writer.WriteTaggedFieldHeader(" + tag + ", fieldSize);");
                EmitWrite(f, p);
                _w.Close();
            }
            _w.Line("while (next < unknownCount) writer.WriteRawTaggedField(unknown![next++]);");
        });
        _w.Close();
    }

    private void EmitSizeMethod(List<FieldDef> fields)
    {
        _w.Open("public int Size(short version)");
        _w.Line("int size = 0;");
        foreach (var f in fields)
        {
            if (!f.IsTagged)
                If(Cond(f.Versions), () => EmitSize(f, "this." + f.Property, "size"));
        }
        var tagged = Tagged(fields).Where(f => Cond(f.TaggedVersions) != "false").ToList();
        If(Cond(_schema.FlexibleVersions), () =>
        {
            _w.Line("var unknown = this.UnknownTaggedFields;");
            _w.Line("int taggedCount = unknown?.Count ?? 0;");
            _w.Open("if (unknown is not null)");
            _w.Line("foreach (var raw in unknown) size += " + Proto + "WireSize.RawTaggedField(raw);");
            _w.Close();
            foreach (var f in tagged)
            {
                string p = "this." + f.Property;
                _w.Open("if (" + And(Cond(f.TaggedVersions), NonDefault(f, p)) + ")");
                _w.Line("taggedCount++;");
                _w.Line("int fieldSize = 0;");
                EmitSize(f, p, "fieldSize");
                _w.Line("size += " + Proto + "WireSize.TaggedField(" + f.Tag!.Value.ToString(CultureInfo.InvariantCulture) + ", fieldSize);");
                _w.Close();
            }
            _w.Line("size += " + Proto + "WireSize.UnsignedVarint((uint)taggedCount);");
        });
        _w.Line("return size;");
        _w.Close();
    }
}
