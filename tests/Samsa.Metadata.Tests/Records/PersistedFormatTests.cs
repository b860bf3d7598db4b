using System.Buffers;
using Samsa.Metadata.Records;
using Samsa.Protocol.MetadataRecords;
using Samsa.Protocol.Records;

namespace Samsa.Metadata.Tests.Records;

/// <summary>Pins the bytes written to disk, so a format change cannot slip in unnoticed.</summary>
public class PersistedFormatTests
{
    private static readonly Guid Id = new([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], bigEndian: true);

    [Fact]
    public void Topic_record_frame_bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        MetadataRecordSerde.Write(output, new MetadataRecord(new TopicRecord { Name = "a", TopicId = Id }, 0));

        byte[] expected = [1, 2, 0, 2, (byte)'a', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Batch_entry_bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        MetadataBatchCodec.Write(output, Id, [new MetadataRecord(new NoOpRecord(), 0)]);

        byte[] expected = [0x4D, 1, .. Id.ToByteArray(), 1, 4, 1, 20, 0, 0];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Snapshot_file_bytes()
    {
        var bytes = MetadataSnapshotFormat.Write(7, [new MetadataRecord(new FeatureLevelRecord { Name = "metadata.version", FeatureLevel = 21 }, 0)]);

        byte[] frame = [1, 12, 0, 17, .. "metadata.version"u8.ToArray(), 0, 21, 0];
        byte[] body = [.. "SMSN"u8.ToArray(), 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 1, (byte)frame.Length, .. frame];
        var crc = Crc32C.Compute(body);
        byte[] expected = [.. body, (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
        Assert.Equal(expected, bytes);
    }
}
