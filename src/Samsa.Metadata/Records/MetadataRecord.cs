using System.Buffers;
using Samsa.Protocol;

namespace Samsa.Metadata.Records;

/// <summary>
/// One metadata record and the version it is encoded at (Kafka's ApiMessageAndVersion).
/// <see cref="Message"/> is one of the generated classes of <c>Samsa.Protocol.MetadataRecords</c>
/// (<c>TopicRecord</c>, <c>PartitionRecord</c>, ...) or an <see cref="UnknownMetadataRecord"/>.
/// </summary>
public readonly record struct MetadataRecord(IKafkaMessage Message, short Version)
{
    /// <summary>The record type of <see cref="Message"/> (the <c>apiKey</c> of its schema).</summary>
    public short RecordType => MetadataRecordSerde.RecordTypeOf(Message);

    public override string ToString() => $"{Message.GetType().Name} v{Version}";
}

/// <summary>A record of a type this build does not know; kept as bytes so a snapshot can write it back.</summary>
public sealed class UnknownMetadataRecord(short recordType, ReadOnlyMemory<byte> body) : IKafkaMessage
{
    public short RecordType { get; } = recordType;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public List<RawTaggedField>? UnknownTaggedFields { get; set; }

    public void Write(IBufferWriter<byte> output, short version) => output.Write(Body.Span);

    public void Write(ref KafkaWriter writer, short version) => writer.WriteRaw(Body.Span);

    public int Size(short version) => Body.Length;
}
