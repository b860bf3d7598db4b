using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>
/// Kafka's DefaultMessageFormatter (<c>kafka.tools.DefaultMessageFormatter</c>, now
/// <c>org.apache.kafka.tools.consumer.DefaultMessageFormatter</c>): per record, in this order and
/// each only when asked, <c>CreateTime:ts</c>, <c>Partition:p</c>, <c>Offset:o</c>, headers
/// (<c>k:v,k:v</c> or <c>NO_HEADERS</c>), key, value; fields joined by <c>key.separator</c> (tab),
/// the record ended by <c>line.separator</c> (newline). Null keys/values print as <c>null.literal</c>.
/// </summary>
internal sealed class DefaultMessageFormatter
{
    public static readonly string[] ClassNames =
    [
        "kafka.tools.DefaultMessageFormatter",
        "org.apache.kafka.tools.consumer.DefaultMessageFormatter",
    ];

    private readonly byte[] _keySeparator;
    private readonly byte[] _lineSeparator;
    private readonly byte[] _headersSeparator;
    private readonly byte[] _nullLiteral;
    private readonly ValueDecoder _keyDecoder;
    private readonly ValueDecoder _valueDecoder;
    private readonly ValueDecoder _headersDecoder;

    public bool PrintTimestamp { get; }
    public bool PrintKey { get; }
    public bool PrintValue { get; } = true;
    public bool PrintPartition { get; }
    public bool PrintOffset { get; }
    public bool PrintHeaders { get; }

    public DefaultMessageFormatter(IReadOnlyDictionary<string, string> properties)
    {
        PrintTimestamp = Flag(properties, "print.timestamp", false);
        PrintKey = Flag(properties, "print.key", false);
        PrintValue = Flag(properties, "print.value", true);
        PrintPartition = Flag(properties, "print.partition", false);
        PrintOffset = Flag(properties, "print.offset", false);
        PrintHeaders = Flag(properties, "print.headers", false);
        _keySeparator = Utf8(properties, "key.separator", "\t");
        _lineSeparator = Utf8(properties, "line.separator", "\n");
        _headersSeparator = Utf8(properties, "headers.separator", ",");
        _nullLiteral = Encoding.UTF8.GetBytes(properties.TryGetValue("null.literal", out var n) ? n : "null");
        _keyDecoder = ValueDecoder.For(properties.GetValueOrDefault("key.deserializer"));
        _valueDecoder = ValueDecoder.For(properties.GetValueOrDefault("value.deserializer"));
        _headersDecoder = ValueDecoder.For(properties.GetValueOrDefault("headers.deserializer"));
    }

    public void WriteTo(ConsumeResult<byte[]?, byte[]?> record, IBufferWriter<byte> output)
    {
        if (PrintTimestamp)
        {
            long ms = record.Timestamp.ToUnixTimeMilliseconds();
            Write(output, ms < 0 ? "NO_TIMESTAMP" : string.Create(CultureInfo.InvariantCulture,
                $"{(record.TimestampType == TimestampType.LogAppendTime ? "LogAppendTime" : "CreateTime")}:{ms}"));
            Separator(output, PrintPartition || PrintOffset || PrintHeaders || PrintKey || PrintValue);
        }
        if (PrintPartition)
        {
            Write(output, string.Create(CultureInfo.InvariantCulture, $"Partition:{record.Partition}"));
            Separator(output, PrintOffset || PrintHeaders || PrintKey || PrintValue);
        }
        if (PrintOffset)
        {
            Write(output, string.Create(CultureInfo.InvariantCulture, $"Offset:{record.Offset}"));
            Separator(output, PrintHeaders || PrintKey || PrintValue);
        }
        if (PrintHeaders)
        {
            if (record.Headers.Count == 0)
            {
                Write(output, "NO_HEADERS");
            }
            else
            {
                for (int i = 0; i < record.Headers.Count; i++)
                {
                    if (i > 0) output.Write(_headersSeparator);
                    var header = record.Headers[i];
                    Write(output, header.Key);
                    Write(output, ":");
                    WriteValue(output, _headersDecoder, header.Value);
                }
            }
            Separator(output, PrintKey || PrintValue);
        }
        if (PrintKey)
        {
            WriteValue(output, _keyDecoder, record.Key);
            Separator(output, PrintValue);
        }
        if (PrintValue)
        {
            WriteValue(output, _valueDecoder, record.Value);
            output.Write(_lineSeparator);
        }
    }

    private void Separator(IBufferWriter<byte> output, bool moreColumns) => output.Write(moreColumns ? _keySeparator : _lineSeparator);

    private void WriteValue(IBufferWriter<byte> output, ValueDecoder decoder, byte[]? value)
    {
        if (value is null) output.Write(_nullLiteral);
        else decoder.Write(value, output);
    }

    private static void Write(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static bool Flag(IReadOnlyDictionary<string, string> properties, string key, bool defaultValue) =>
        properties.TryGetValue(key, out var v) ? v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) : defaultValue;

    private static byte[] Utf8(IReadOnlyDictionary<string, string> properties, string key, string defaultValue) =>
        Encoding.UTF8.GetBytes(properties.TryGetValue(key, out var v) ? LineMessageReader.Unescape(v) : defaultValue);

    /// <summary>Kafka's deserializer class names, shown as text the way their Java toString would.</summary>
    internal sealed class ValueDecoder
    {
        private readonly string _kind;

        private ValueDecoder(string kind) => _kind = kind;

        public static ValueDecoder For(string? className)
        {
            if (string.IsNullOrEmpty(className)) return new ValueDecoder("bytes");
            string simple = className[(className.LastIndexOf('.') + 1)..];
            return simple switch
            {
                "StringDeserializer" or "ByteArrayDeserializer" or "BytesDeserializer" or "ByteBufferDeserializer" => new ValueDecoder("bytes"),
                "LongDeserializer" => new ValueDecoder("long"),
                "IntegerDeserializer" => new ValueDecoder("int"),
                "ShortDeserializer" => new ValueDecoder("short"),
                "DoubleDeserializer" => new ValueDecoder("double"),
                "FloatDeserializer" => new ValueDecoder("float"),
                "UUIDDeserializer" => new ValueDecoder("bytes"),
                "VoidDeserializer" => new ValueDecoder("void"),
                _ => throw new ToolException($"Deserializer {className} is not supported (String, ByteArray, Long, Integer, Short, Double, Float, UUID, Void are)."),
            };
        }

        public void Write(byte[] value, IBufferWriter<byte> output)
        {
            string? text = _kind switch
            {
                "long" when value.Length == 8 => BinaryPrimitives.ReadInt64BigEndian(value).ToString(CultureInfo.InvariantCulture),
                "int" when value.Length == 4 => BinaryPrimitives.ReadInt32BigEndian(value).ToString(CultureInfo.InvariantCulture),
                "short" when value.Length == 2 => BinaryPrimitives.ReadInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
                "double" when value.Length == 8 => BinaryPrimitives.ReadDoubleBigEndian(value).ToString("R", CultureInfo.InvariantCulture),
                "float" when value.Length == 4 => BinaryPrimitives.ReadSingleBigEndian(value).ToString("R", CultureInfo.InvariantCulture),
                "void" => "null",
                "bytes" => null,
                _ => throw new ToolException($"Size of data received by the {_kind} deserializer is not {SizeOf(_kind)}"),
            };
            if (text is null) output.Write(value);
            else DefaultMessageFormatter.Write(output, text);
        }

        private static int SizeOf(string kind) => kind switch { "long" or "double" => 8, "int" or "float" => 4, _ => 2 };
    }
}
