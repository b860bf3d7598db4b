using System.Buffers;

namespace Samsa.Protocol;

/// <summary>Every generated message (request, response, header, data schema, metadata record).</summary>
public interface IKafkaMessage
{
    /// <summary>Tagged fields read but not known to this schema; written back as they came.</summary>
    List<RawTaggedField>? UnknownTaggedFields { get; set; }

    void Write(IBufferWriter<byte> output, short version);

    void Write(ref KafkaWriter writer, short version);

    /// <summary>The exact number of bytes <see cref="Write(IBufferWriter{byte}, short)"/> produces.</summary>
    int Size(short version);
}

/// <summary>Static members of a generated message, for generic code.</summary>
public interface IKafkaMessage<TSelf> : IKafkaMessage
    where TSelf : class, IKafkaMessage<TSelf>
{
    static abstract short LowestSupportedVersion { get; }

    static abstract short HighestSupportedVersion { get; }

    static abstract TSelf Read(ref KafkaReader reader, short version);
}

/// <summary>A request or response message of one API.</summary>
public interface IKafkaApiMessage<TSelf> : IKafkaMessage<TSelf>
    where TSelf : class, IKafkaApiMessage<TSelf>
{
    static abstract ApiKey ApiKey { get; }
}
