using System.Buffers.Binary;
using System.Text;

namespace Samsa.Client;

/// <summary>Built-in deserializers, the inverse of <see cref="Serializers"/>. Wrong sizes throw.</summary>
public static class Deserializers
{
    public static IDeserializer<string?> Utf8 { get; } = new Utf8Deserializer();
    public static IDeserializer<byte[]?> ByteArray { get; } = new ByteArrayDeserializer();
    public static IDeserializer<int> Int32 { get; } = new Int32Deserializer();
    public static IDeserializer<long> Int64 { get; } = new Int64Deserializer();
    public static IDeserializer<double> Double { get; } = new DoubleDeserializer();
    public static IDeserializer<Guid> Guid { get; } = new GuidDeserializer();
    public static IDeserializer<Null?> Null { get; } = new NullDeserializer();
    public static IDeserializer<Ignore?> Ignore { get; } = new IgnoreDeserializer();

    /// <summary>The built-in deserializer for <typeparamref name="T"/>, or null when there is none.</summary>
    public static IDeserializer<T>? Default<T>()
    {
        var t = typeof(T);
        object? d = t == typeof(string) ? Utf8
            : t == typeof(byte[]) ? ByteArray
            : t == typeof(int) ? Int32
            : t == typeof(long) ? Int64
            : t == typeof(double) ? Double
            : t == typeof(System.Guid) ? Guid
            : t == typeof(Client.Null) ? Null
            : t == typeof(Client.Ignore) ? Ignore
            : null;
        return (IDeserializer<T>?)d;
    }

    private static void Expect(ReadOnlySpan<byte> data, bool isNull, int size, string type)
    {
        if (isNull) throw new SerializationException($"Cannot deserialize a null field as {type}.");
        if (data.Length != size)
            throw new SerializationException($"A {type} needs exactly {size} bytes, got {data.Length}.");
    }

    private sealed class Utf8Deserializer : IDeserializer<string?>
    {
        public string? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? null : Encoding.UTF8.GetString(data);
    }

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]?>
    {
        public byte[]? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            isNull ? null : data.ToArray();
    }

    private sealed class Int32Deserializer : IDeserializer<int>
    {
        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            Expect(data, isNull, 4, "int");
            return BinaryPrimitives.ReadInt32BigEndian(data);
        }
    }

    private sealed class Int64Deserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            Expect(data, isNull, 8, "long");
            return BinaryPrimitives.ReadInt64BigEndian(data);
        }
    }

    private sealed class DoubleDeserializer : IDeserializer<double>
    {
        public double Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            Expect(data, isNull, 8, "double");
            return BinaryPrimitives.ReadDoubleBigEndian(data);
        }
    }

    private sealed class GuidDeserializer : IDeserializer<Guid>
    {
        public Guid Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            if (isNull) throw new SerializationException("Cannot deserialize a null field as Guid.");
            Span<char> chars = stackalloc char[64];
            if (data.Length > 64 || !System.Guid.TryParse(chars[..Encoding.UTF8.GetChars(data, chars)], out var g))
                throw new SerializationException("The field is not a Guid in its text form.");
            return g;
        }
    }

    private sealed class NullDeserializer : IDeserializer<Null?>
    {
        public Null? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => null;
    }

    private sealed class IgnoreDeserializer : IDeserializer<Ignore?>
    {
        public Ignore? Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) => null;
    }
}
