using System.Buffers;
using Samsa.Protocol;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Records;

/// <summary>
/// Encodes one metadata record as Kafka frames it in <c>__cluster_metadata</c>: three unsigned varints
/// (frame version = 1, record type, record version) followed by the record body.
/// </summary>
public static class MetadataRecordSerde
{
    public const byte FrameVersion = 1;

    /// <summary>Writes the frame of <paramref name="record"/>.</summary>
    public static void Write(IBufferWriter<byte> output, MetadataRecord record)
    {
        var type = RecordTypeOf(record.Message);
        UnsignedVarint.Write(output, FrameVersion);
        UnsignedVarint.Write(output, (uint)type);
        UnsignedVarint.Write(output, (uint)record.Version);
        record.Message.Write(output, record.Version);
    }

    /// <summary>Decodes one frame (exactly the bytes of one record).</summary>
    /// <exception cref="KafkaProtocolException">The frame is malformed.</exception>
    public static MetadataRecord Read(ReadOnlyMemory<byte> frame)
    {
        var span = frame.Span;
        var position = 0;
        if (!UnsignedVarint.TryRead(span, ref position, out var frameVersion)
            || !UnsignedVarint.TryRead(span, ref position, out var type)
            || !UnsignedVarint.TryRead(span, ref position, out var version))
            throw new KafkaProtocolException("Truncated metadata record frame header");
        if (frameVersion != FrameVersion)
            throw new KafkaProtocolException($"Unsupported metadata record frame version {frameVersion}");
        if (type > short.MaxValue || version > short.MaxValue)
            throw new KafkaProtocolException($"Metadata record type {type} / version {version} out of range");

        var body = frame[position..];
        var v = (short)version;
        var reader = new KafkaReader(body);
        IKafkaMessage message = (short)type switch
        {
            0 => RegisterBrokerRecord.Read(ref reader, v),
            1 => UnregisterBrokerRecord.Read(ref reader, v),
            2 => TopicRecord.Read(ref reader, v),
            3 => PartitionRecord.Read(ref reader, v),
            4 => ConfigRecord.Read(ref reader, v),
            5 => PartitionChangeRecord.Read(ref reader, v),
            7 => FenceBrokerRecord.Read(ref reader, v),
            8 => UnfenceBrokerRecord.Read(ref reader, v),
            9 => RemoveTopicRecord.Read(ref reader, v),
            12 => FeatureLevelRecord.Read(ref reader, v),
            15 => ProducerIdsRecord.Read(ref reader, v),
            17 => BrokerRegistrationChangeRecord.Read(ref reader, v),
            20 => NoOpRecord.Read(ref reader, v),
            _ => new UnknownMetadataRecord((short)type, body.ToArray()),
        };
        return new MetadataRecord(message, v);
    }

    /// <summary>The record type (schema <c>apiKey</c>) of a metadata record object.</summary>
    public static short RecordTypeOf(IKafkaMessage message) => message switch
    {
        RegisterBrokerRecord => 0,
        UnregisterBrokerRecord => 1,
        TopicRecord => 2,
        PartitionRecord => 3,
        ConfigRecord => 4,
        PartitionChangeRecord => 5,
        FenceBrokerRecord => 7,
        UnfenceBrokerRecord => 8,
        RemoveTopicRecord => 9,
        FeatureLevelRecord => 12,
        ProducerIdsRecord => 15,
        BrokerRegistrationChangeRecord => 17,
        NoOpRecord => 20,
        UnknownMetadataRecord u => u.RecordType,
        _ => throw new ArgumentException($"{message.GetType().Name} is not a metadata record", nameof(message)),
    };
}
