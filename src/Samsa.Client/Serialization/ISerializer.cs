using System.Buffers;

namespace Samsa.Client;

/// <summary>Which part of a record is being (de)serialized.</summary>
public enum MessageComponent
{
    Key,
    Value,
}

/// <summary>What a serializer may want to know besides the value.</summary>
public readonly record struct SerializationContext(MessageComponent Component, string Topic, Headers? Headers = null);

/// <summary>
/// Writes a key or value into the record being built. A null reference (or <see cref="Null"/>)
/// never reaches the serializer: the record field is written as null.
/// </summary>
public interface ISerializer<in T>
{
    void Serialize(T value, IBufferWriter<byte> output, SerializationContext context);
}

/// <summary>Reads a key or value; <paramref name="isNull"/> tells a null field from an empty one.</summary>
public interface IDeserializer<out T>
{
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context);
}

/// <summary>The type of keys or values that are always null.</summary>
public sealed class Null
{
    private Null() { }
}

/// <summary>The type of keys or values the consumer skips without reading.</summary>
public sealed class Ignore
{
    private Ignore() { }
}
