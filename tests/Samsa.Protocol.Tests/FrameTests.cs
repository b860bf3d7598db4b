using System.Buffers;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Tests;

public class FrameTests
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, Segment? previous)
        {
            Memory = data;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }

    /// <summary>A sequence split into one-byte segments, the worst case a pipe can hand out.</summary>
    private static ReadOnlySequence<byte> Fragmented(byte[] bytes)
    {
        var first = new Segment([bytes[0]], null);
        var last = first;
        for (int i = 1; i < bytes.Length; i++)
            last = new Segment([bytes[i]], last);
        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    [Fact]
    public void CompleteFramesAreTakenOneByOneAcrossSegments()
    {
        byte[] bytes = [0, 0, 0, 2, 0xAA, 0xBB, 0, 0, 0, 1, 0xCC, 0, 0];
        var buffer = Fragmented(bytes);
        Assert.True(Frame.TryRead(ref buffer, 100, out var first));
        Assert.Equal(new byte[] { 0xAA, 0xBB }, first.ToArray());
        Assert.True(Frame.TryRead(ref buffer, 100, out var second));
        Assert.Equal(new byte[] { 0xCC }, second.ToArray());
        Assert.False(Frame.TryRead(ref buffer, 100, out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void IncompleteFrameReturnsFalseAndKeepsTheBuffer()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 5, 1, 2 });
        Assert.False(Frame.TryRead(ref buffer, 100, out _));
        Assert.Equal(6, buffer.Length);
    }

    [Fact]
    public void NegativeSizeThrows()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFE });
        Assert.Throws<InvalidFrameSizeException>(() => Frame.TryRead(ref buffer, 100, out _));
    }

    [Fact]
    public void SizeOverTheMaximumThrowsBeforeTheBytesArrive()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0x7F, 0xFF, 0xFF, 0xFF });
        Assert.Throws<InvalidFrameSizeException>(() => Frame.TryRead(ref buffer, 1 << 20, out _));
    }

    [Fact]
    public void TruncatedRequestInsideAFrameThrowsAProtocolError()
    {
        var header = new RequestHeader { RequestApiKey = (short)ApiKey.Metadata, RequestApiVersion = 12, CorrelationId = 7, ClientId = "c" };
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteRequest(output, header, new MetadataRequest { Topics = null });
        byte[] whole = output.WrittenSpan.ToArray();
        var truncated = whole.AsMemory(4, whole.Length - 6);
        Assert.ThrowsAny<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(truncated);
            var h = Frame.ReadRequestHeader(ref reader);
            MetadataRequest.Read(ref reader, h.RequestApiVersion);
        });
    }

    [Theory]
    [InlineData(ApiKey.Metadata, 12, 2, 1)]
    [InlineData(ApiKey.Metadata, 8, 1, 0)]
    [InlineData(ApiKey.ApiVersions, 3, 2, 0)]
    [InlineData(ApiKey.ApiVersions, 0, 1, 0)]
    [InlineData(ApiKey.ControlledShutdown, 0, 0, 0)]
    [InlineData(ApiKey.ControlledShutdown, 1, 1, 0)]
    [InlineData(ApiKey.Produce, 9, 2, 1)]
    [InlineData(ApiKey.Fetch, 11, 1, 0)]
    public void HeaderVersionsFollowFlexibleVersionsWithKafkasExceptions(ApiKey key, short version, short request, short response)
    {
        Assert.Equal(request, ApiVersionsTable.RequestHeaderVersion(key, version));
        Assert.Equal(response, ApiVersionsTable.ResponseHeaderVersion(key, version));
    }

    [Fact]
    public void RequestWrittenWithHeaderReadsBack()
    {
        var header = new RequestHeader { RequestApiKey = (short)ApiKey.Produce, RequestApiVersion = 9, CorrelationId = 42, ClientId = null };
        var body = new ProduceRequest { Acks = -1, TimeoutMs = 1000 };
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteRequest(output, header, body);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(Frame.TryRead(ref buffer, 1 << 20, out var frame));
        var reader = new KafkaReader(Frame.ToMemory(frame));
        var readHeader = Frame.ReadRequestHeader(ref reader);
        Assert.Equal(42, readHeader.CorrelationId);
        Assert.Null(readHeader.ClientId);
        var readBody = ProduceRequest.Read(ref reader, 9);
        Assert.Equal(-1, readBody.Acks);
        Assert.True(reader.End);
    }

    [Fact]
    public void ApiVersionsResponseAlwaysUsesHeaderV0()
    {
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteResponse(output, 5, ApiKey.ApiVersions, 3, new ApiVersionsResponse());
        var bytes = output.WrittenSpan;
        // size, correlation id, then the body directly (no tagged-field byte of header v1)
        Assert.Equal(new byte[] { 0, 0, 0, 5 }, bytes.Slice(4, 4).ToArray());
        Assert.Equal(bytes.Length - 4, new ApiVersionsResponse().Size(3) + 4);
    }

    [Theory]
    [InlineData(ApiKey.Fetch, 11)]
    [InlineData(ApiKey.Fetch, 12)]
    [InlineData(ApiKey.ApiVersions, 3)]
    public void ResponseFramesMatchTheGeneratedResponseHeader(ApiKey key, short version)
    {
        var body = new MetadataResponse();
        var output = new ArrayBufferWriter<byte>();
        Frame.WriteResponse(output, 77, key, version, body);
        short headerVersion = ApiVersionsTable.ResponseHeaderVersion(key, version);
        var expected = new ArrayBufferWriter<byte>();
        new ResponseHeader { CorrelationId = 77 }.Write(expected, headerVersion);
        body.Write(expected, version);
        Assert.Equal(expected.WrittenSpan.ToArray(), output.WrittenSpan[4..].ToArray());
        Assert.Equal(expected.WrittenCount, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(output.WrittenSpan));
        var reader = new KafkaReader(output.WrittenMemory[4..]);
        Assert.Equal(77, Frame.ReadResponseHeader(ref reader, key, version).CorrelationId);
    }
}
