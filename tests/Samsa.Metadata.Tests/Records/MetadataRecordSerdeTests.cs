using System.Buffers;
using Samsa.Metadata.Image;
using Samsa.Metadata.Records;
using Samsa.Protocol;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Tests.Records;

public class MetadataRecordSerdeTests
{
    private static List<MetadataRecord> Samples() =>
    [
        new MetadataRecord(new TopicRecord { Name = "orders", TopicId = Guid.NewGuid() }, 0),
        RecordFactory.NewPartition(Guid.NewGuid(), 3, [1, 2, 3]),
        new MetadataRecord(new PartitionChangeRecord { TopicId = Guid.NewGuid(), PartitionId = 1, Leader = 2, Isr = [2, 3] }, 0),
        RecordFactory.Config(ConfigResource.Topic("orders"), "retention.ms", "1000"),
        RecordFactory.Config(ConfigResource.ClusterDefault, "log.retention.ms", null),
        new MetadataRecord(new RemoveTopicRecord { TopicId = Guid.NewGuid() }, 0),
        new MetadataRecord(new FeatureLevelRecord { Name = "metadata.version", FeatureLevel = 21 }, 0),
        new MetadataRecord(new ProducerIdsRecord { BrokerId = 1, BrokerEpoch = 5, NextProducerId = 2000 }, 0),
        RecordFactory.RegisterBroker(new BrokerRegistration(1, 7, Guid.NewGuid(), [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)],
            "rack-a", false, false, System.Collections.Immutable.ImmutableDictionary<string, (short, short)>.Empty.Add("metadata.version", (4, 21)))),
        new MetadataRecord(new FenceBrokerRecord { Id = 1, Epoch = 7 }, 0),
        new MetadataRecord(new UnfenceBrokerRecord { Id = 1, Epoch = 7 }, 0),
        new MetadataRecord(new NoOpRecord(), 0),
    ];

    public static TheoryData<int> SampleIndexes() => [.. Enumerable.Range(0, Samples().Count)];

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void Frame_starts_with_frame_version_type_and_version_then_round_trips(int sample)
    {
        var record = Samples()[sample];
        var output = new ArrayBufferWriter<byte>();
        MetadataRecordSerde.Write(output, record);
        var frame = output.WrittenMemory;

        Assert.Equal(1, frame.Span[0]);
        Assert.Equal(record.RecordType, frame.Span[1]); // all types and versions here fit one varint byte
        Assert.Equal(record.Version, frame.Span[2]);
        Assert.Equal(frame.Length - 3, record.Message.Size(record.Version));

        var back = MetadataRecordSerde.Read(frame);
        Assert.Equal(record.Message.GetType(), back.Message.GetType());
        Assert.Equal(record.Version, back.Version);
        var again = new ArrayBufferWriter<byte>();
        MetadataRecordSerde.Write(again, back);
        Assert.Equal(frame.ToArray(), again.WrittenSpan.ToArray());
    }

    [Fact]
    public void Unknown_record_types_are_kept_as_bytes_and_written_back()
    {
        byte[] frame = [1, 99, 0, 0xAB, 0xCD];
        var record = MetadataRecordSerde.Read(frame);
        var unknown = Assert.IsType<UnknownMetadataRecord>(record.Message);
        Assert.Equal(99, unknown.RecordType);
        var output = new ArrayBufferWriter<byte>();
        MetadataRecordSerde.Write(output, record);
        Assert.Equal(frame, output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 1, 2 })]
    [InlineData(new byte[] { 2, 2, 0 })] // frame version 2
    [InlineData(new byte[] { 1, 2, 0, 5 })] // truncated TopicRecord body
    [InlineData(new byte[] { 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF })] // varint too long
    public void Malformed_frames_throw_a_protocol_exception(byte[] frame)
        => Assert.ThrowsAny<KafkaProtocolException>(() => MetadataRecordSerde.Read(frame));

    [Fact]
    public void Batch_round_trips_with_its_append_id()
    {
        var id = Guid.NewGuid();
        var records = Samples();
        var output = new ArrayBufferWriter<byte>();
        MetadataBatchCodec.Write(output, id, records);

        Assert.True(MetadataBatchCodec.IsMetadataBatch(output.WrittenSpan));
        var (backId, back) = MetadataBatchCodec.Read(output.WrittenMemory);
        Assert.Equal(id, backId);
        Assert.Equal(records.Select(r => r.RecordType), back.Select(r => r.RecordType));
    }

    [Fact]
    public void Batch_with_a_huge_record_count_is_rejected_without_allocating_for_it()
    {
        byte[] payload = [MetadataBatchCodec.Magic, MetadataBatchCodec.FormatVersion, .. new byte[16], 0xFF, 0xFF, 0xFF, 0xFF, 0x07];
        Assert.ThrowsAny<KafkaProtocolException>(() => MetadataBatchCodec.Read(payload));
    }

    [Fact]
    public void Snapshot_round_trips_and_detects_corruption()
    {
        var records = Samples();
        var bytes = MetadataSnapshotFormat.Write(42, records);
        Assert.Equal("SMSN"u8.ToArray(), bytes[..4]);

        var (offset, back) = MetadataSnapshotFormat.Read(bytes);
        Assert.Equal(42, offset);
        Assert.Equal(records.Count, back.Count);

        bytes[20] ^= 0x01;
        Assert.ThrowsAny<KafkaProtocolException>(() => MetadataSnapshotFormat.Read(bytes));
        Assert.ThrowsAny<KafkaProtocolException>(() => MetadataSnapshotFormat.Read(bytes.AsMemory(0, 10)));
    }
}
