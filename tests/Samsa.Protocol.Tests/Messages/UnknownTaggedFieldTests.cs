using System.Buffers;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Tests.Messages;

public class UnknownTaggedFieldTests
{
    [Fact]
    public void UnknownTagsFromANewerPeerSurviveReadAndWrite()
    {
        // ApiVersionsRequest v3 body: "x", "1", then one tagged field no schema knows (tag 42, 3 bytes).
        byte[] wire = [2, (byte)'x', 2, (byte)'1', 1, 42, 3, 7, 8, 9];
        var reader = new KafkaReader(wire);
        var request = ApiVersionsRequest.Read(ref reader, 3);
        Assert.True(reader.End);
        var unknown = Assert.Single(request.UnknownTaggedFields!);
        Assert.Equal(42, unknown.Tag);
        Assert.Equal(new byte[] { 7, 8, 9 }, unknown.Data);
        Assert.Equal(wire, MessageCodec.Write(request, 3));
        Assert.Equal(wire.Length, request.Size(3));
    }

    [Fact]
    public void UnknownTagsAreMergedWithKnownOnesInTagOrder()
    {
        // FetchRequest v15 knows tags 0 (ClusterId), 1 (ReplicaState); add unknown 5 and 0-adjacent ones.
        var request = new FetchRequest
        {
            ClusterId = "cluster",
            ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = 3, ReplicaEpoch = 9 },
            UnknownTaggedFields = [new RawTaggedField(5, [1]), new RawTaggedField(2, [2, 2])],
        };
        byte[] bytes = MessageCodec.Write(request, 15);
        Assert.Equal(bytes.Length, request.Size(15));
        var reader = new KafkaReader(bytes);
        var read = FetchRequest.Read(ref reader, 15);
        Assert.Equal("cluster", read.ClusterId);
        Assert.Equal(3, read.ReplicaState!.ReplicaId);
        Assert.Equal(new[] { 2, 5 }, read.UnknownTaggedFields!.Select(f => f.Tag));
        Assert.Equal(bytes, MessageCodec.Write(read, 15));

        // The tagged section is the tail: count 4, then tags 0, 1, 2, 5 in order.
        var tags = new List<int>();
        var tail = new KafkaReader(bytes.AsMemory(bytes.Length - TaggedSectionLength(read)));
        int count = tail.ReadTaggedFieldCount();
        for (int i = 0; i < count; i++)
        {
            tail.ReadTaggedField(out int tag);
            tags.Add(tag);
        }
        Assert.Equal(new[] { 0, 1, 2, 5 }, tags);
    }

    private static int TaggedSectionLength(FetchRequest request)
    {
        int withTags = request.Size(15);
        var bare = new FetchRequest
        {
            ReplicaId = request.ReplicaId, MaxWaitMs = request.MaxWaitMs, MinBytes = request.MinBytes, MaxBytes = request.MaxBytes,
            IsolationLevel = request.IsolationLevel, SessionId = request.SessionId, SessionEpoch = request.SessionEpoch,
            Topics = request.Topics, ForgottenTopicsData = request.ForgottenTopicsData, RackId = request.RackId,
        };
        return withTags - bare.Size(15) + 1;
    }

    [Fact]
    public void UnknownTagsInNestedStructsSurvive()
    {
        var response = new FetchResponse
        {
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    TopicId = Guid.NewGuid(),
                    Partitions =
                    [
                        new FetchResponse.PartitionData
                        {
                            PartitionIndex = 1,
                            Records = new byte[] { 1, 2, 3 },
                            UnknownTaggedFields = [new RawTaggedField(99, [4, 5])],
                        },
                    ],
                },
            ],
        };
        byte[] bytes = MessageCodec.Write(response, 16);
        var reader = new KafkaReader(bytes);
        var read = FetchResponse.Read(ref reader, 16);
        var partition = read.Responses[0].Partitions[0];
        Assert.Equal(99, Assert.Single(partition.UnknownTaggedFields!).Tag);
        Assert.Equal(new byte[] { 1, 2, 3 }, partition.Records!.Value.ToArray());
        Assert.Equal(bytes, MessageCodec.Write(read, 16));
    }

    [Fact]
    public void NonDefaultFieldInAVersionWithoutItThrowsUnlessIgnorable()
    {
        // MetadataRequest.IncludeTopicAuthorizedOperations exists from v8 and is not ignorable.
        var metadata = new MetadataRequest { IncludeTopicAuthorizedOperations = true, Topics = null };
        Assert.Throws<UnsupportedVersionException>(() => metadata.Write(new ArrayBufferWriter<byte>(), 4));
        // FetchRequest.ClusterId (tagged, v12+) is ignorable: silently dropped at v11.
        var fetch = new FetchRequest { ClusterId = "c" };
        fetch.Write(new ArrayBufferWriter<byte>(), 11);
        Assert.Equal(fetch.Size(11), MessageCodec.Write(fetch, 11).Length);
    }
}
