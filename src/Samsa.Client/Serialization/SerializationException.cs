namespace Samsa.Client;

/// <summary>A key or value could not be serialized or deserialized.</summary>
public sealed class SerializationException : Exception
{
    public SerializationException(string message) : base(message) { }
    public SerializationException(string message, Exception inner) : base(message, inner) { }
}
