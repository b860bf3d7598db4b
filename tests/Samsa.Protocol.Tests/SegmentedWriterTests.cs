using System.Buffers;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Tests;

/// <summary>
/// Records fields handed to an <see cref="ISegmentedBufferWriter"/> by reference: the bytes the
/// output ends up with must be exactly what a copying output gets, and only records of at least
/// <see cref="KafkaWriter.MinimumSegmentSize"/> bytes may be referenced.
/// </summary>
public class SegmentedWriterTests
{
    /// <summary>Keeps its own bytes and the referenced blocks apart, as a socket gather write would see them.</summary>
    private sealed class RecordingWriter : ISegmentedBufferWriter
    {
        private readonly ArrayBufferWriter<byte> _bytes = new();

        public List<(int At, ReadOnlyMemory<byte> Data)> Segments { get; } = [];

        public void Advance(int count) => _bytes.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => _bytes.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => _bytes.GetSpan(sizeHint);

        public void AppendSegment(ReadOnlyMemory<byte> data) => Segments.Add((_bytes.WrittenCount, data));

        /// <summary>Own bytes with the segments put in where they were appended.</summary>
        public byte[] ToArray()
        {
            var own = _bytes.WrittenSpan;
            var result = new List<byte>();
            var at = 0;
            foreach (var (position, data) in Segments)
            {
                result.AddRange(own[at..position].ToArray());
                result.AddRange(data.ToArray());
                at = position;
            }
            result.AddRange(own[at..].ToArray());
            return [.. result];
        }
    }

    public static TheoryData<short, int> VersionsAndSizes()
    {
        var data = new TheoryData<short, int>();
        foreach (short version in new short[] { 0, 3, 7, 8, 9, 11 })
        {
            foreach (var size in new[] { -1, 0, 100, KafkaWriter.MinimumSegmentSize - 1, KafkaWriter.MinimumSegmentSize, 300_000 })
                data.Add(version, size);
        }
        return data;
    }

    private static ReadOnlyMemory<byte>? Records(int size, int seed)
    {
        if (size < 0) return null;
        var bytes = new byte[size + 16];
        new Random(seed).NextBytes(bytes);
        return bytes.AsMemory(7, size); // not at the array's start, as a pooled batch may be
    }

    private static ProduceRequest Request(short version, params ReadOnlyMemory<byte>?[] records)
    {
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 30_000,
            TransactionalId = version >= 3 ? "tx" : null,
            TopicData = [],
        };
        var topic = new ProduceRequest.TopicProduceData { Name = "events", PartitionData = [] };
        request.TopicData.Add(topic);
        for (var i = 0; i < records.Length; i++)
            topic.PartitionData.Add(new ProduceRequest.PartitionProduceData { Index = i, Records = records[i] });
        return request;
    }

    private static byte[] Copied(IKafkaMessage request, short version)
    {
        var copy = new ArrayBufferWriter<byte>();
        request.Write(copy, version);
        return copy.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(VersionsAndSizes))]
    public void A_produce_request_is_written_byte_for_byte_as_by_copying(short version, int size)
    {
        var records = Records(size, size);
        var request = Request(version, records);
        var output = new RecordingWriter();
        request.Write(output, version);

        Assert.Equal(Copied(request, version), output.ToArray());
        Assert.Equal(request.Size(version), output.ToArray().Length);
        if (size >= KafkaWriter.MinimumSegmentSize)
        {
            var segment = Assert.Single(output.Segments);
            // The very memory of the batch, not a copy of it.
            Assert.True(segment.Data.Span == records!.Value.Span);
        }
        else
        {
            Assert.Empty(output.Segments);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(11)]
    public void Small_and_large_batches_of_several_partitions_keep_their_order(short version)
    {
        var request = Request(version,
            Records(KafkaWriter.MinimumSegmentSize, 1),
            Records(50, 2),
            null,
            Records(70_000, 3),
            Records(KafkaWriter.MinimumSegmentSize + 1, 4));
        // Two topics, so fields are written between the segments and after the last one.
        request.TopicData.Add(new ProduceRequest.TopicProduceData
        {
            Name = "other",
            PartitionData = [new ProduceRequest.PartitionProduceData { Index = 9, Records = Records(20_000, 5) }],
        });
        var output = new RecordingWriter();
        request.Write(output, version);

        Assert.Equal(Copied(request, version), output.ToArray());
        Assert.Equal(4, output.Segments.Count);
    }

    [Fact]
    public void A_whole_request_frame_with_a_large_batch_is_written_as_by_copying()
    {
        const short version = 9;
        var header = new RequestHeader { RequestApiKey = (short)ApiKey.Produce, RequestApiVersion = version, CorrelationId = 7, ClientId = "c" };
        var body = Request(version, Records(65_536, 6));
        var copy = new ArrayBufferWriter<byte>();
        Frame.WriteRequest(copy, header, body);
        var output = new RecordingWriter();
        Frame.WriteRequest(output, header, body);

        Assert.Equal(copy.WrittenSpan.ToArray(), output.ToArray());
        Assert.Single(output.Segments);
    }
}
