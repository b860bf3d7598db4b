using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Samsa.Client;

/// <summary>
/// Built-in serializers, byte-compatible with Kafka's Java ones: UTF-8 strings, raw bytes,
/// big-endian int/long/double, Guid as its 36-character text form (as Kafka's UUIDSerializer).
/// </summary>
public static class Serializers
{
    public static ISerializer<string> Utf8 { get; } = new Utf8Serializer();
    public static ISerializer<byte[]> ByteArray { get; } = new ByteArraySerializer();
    public static ISerializer<ReadOnlyMemory<byte>> Memory { get; } = new MemorySerializer();
    public static ISerializer<int> Int32 { get; } = new Int32Serializer();
    public static ISerializer<long> Int64 { get; } = new Int64Serializer();
    public static ISerializer<double> Double { get; } = new DoubleSerializer();
    public static ISerializer<Guid> Guid { get; } = new GuidSerializer();
    public static ISerializer<Null> Null { get; } = new NullSerializer();

    /// <summary>The built-in serializer for <typeparamref name="T"/>, or null when there is none.</summary>
    public static ISerializer<T>? Default<T>()
    {
        var t = typeof(T);
        object? s = t == typeof(string) ? Utf8
            : t == typeof(byte[]) ? ByteArray
            : t == typeof(ReadOnlyMemory<byte>) ? Memory
            : t == typeof(int) ? Int32
            : t == typeof(long) ? Int64
            : t == typeof(double) ? Double
            : t == typeof(System.Guid) ? Guid
            : t == typeof(Client.Null) ? Null
            : null;
        return (ISerializer<T>?)s;
    }

    private sealed class Utf8Serializer : ISerializer<string>
    {
        public void Serialize(string value, IBufferWriter<byte> output, SerializationContext context)
        {
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length));
            output.Advance(Encoding.UTF8.GetBytes(value, span));
        }
    }

    private sealed class ByteArraySerializer : ISerializer<byte[]>
    {
        public void Serialize(byte[] value, IBufferWriter<byte> output, SerializationContext context) => output.Write(value);
    }

    private sealed class MemorySerializer : ISerializer<ReadOnlyMemory<byte>>
    {
        public void Serialize(ReadOnlyMemory<byte> value, IBufferWriter<byte> output, SerializationContext context) =>
            output.Write(value.Span);
    }

    private sealed class Int32Serializer : ISerializer<int>
    {
        public void Serialize(int value, IBufferWriter<byte> output, SerializationContext context)
        {
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
            output.Advance(4);
        }
    }

    private sealed class Int64Serializer : ISerializer<long>
    {
        public void Serialize(long value, IBufferWriter<byte> output, SerializationContext context)
        {
            BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), value);
            output.Advance(8);
        }
    }

    private sealed class DoubleSerializer : ISerializer<double>
    {
        public void Serialize(double value, IBufferWriter<byte> output, SerializationContext context)
        {
            BinaryPrimitives.WriteDoubleBigEndian(output.GetSpan(8), value);
            output.Advance(8);
        }
    }

    private sealed class GuidSerializer : ISerializer<Guid>
    {
        public void Serialize(Guid value, IBufferWriter<byte> output, SerializationContext context)
        {
            var span = output.GetSpan(36);
            value.TryFormat(span, out var written, "D");
            output.Advance(written);
        }
    }

    private sealed class NullSerializer : ISerializer<Null>
    {
        public void Serialize(Null value, IBufferWriter<byte> output, SerializationContext context) { }
    }
}
