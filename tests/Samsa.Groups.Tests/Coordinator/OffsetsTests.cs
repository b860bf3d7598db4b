using System.Buffers;
using Samsa.Broker.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Groups.Tests.Coordinator;

public class OffsetsTests
{
    private static readonly IReadOnlyList<(string, IReadOnlyList<int>)> T0 = [("t", [0])];

    private static FetchedOffset Fetch(Harness h, string group, string topic = "t", int partition = 0) =>
        h.Coordinator.FetchOffsets(group, [(topic, [partition])], requireStable: false).Offsets.Single();

    [Fact]
    public async Task SimpleCommitWithoutMembershipRoundTripsOffsetAndMetadata()
    {
        using var h = new Harness();
        var errors = await h.Coordinator.CommitOffsetsAsync("simple", -1, "", null, -1,
            [new OffsetCommitPartition("t", 0, 42, 7, "my metadata"), new OffsetCommitPartition("t", 1, 43, -1, null)]);
        Assert.Equal([ErrorCode.None, ErrorCode.None], errors);
        var o = Fetch(h, "simple");
        Assert.Equal((42L, 7, "my metadata", ErrorCode.None), (o.Offset, o.LeaderEpoch, o.Metadata, o.Error));
        Assert.Equal("", Fetch(h, "simple", partition: 1).Metadata);
        Assert.Equal(-1, Fetch(h, "simple", partition: 9).Offset);
        Assert.Equal(-1, Fetch(h, "nobody").Offset);

        var all = h.Coordinator.FetchOffsets("simple", null, false).Offsets;
        Assert.Equal([0, 1], all.Select(x => x.Partition));
        Assert.Contains(h.Coordinator.ListGroups(null).Groups, g => g.GroupId == "simple" && g.ProtocolType == "" && g.State == GroupState.Empty);
    }

    [Fact]
    public async Task StaleGenerationAndUnknownMemberCommitNothing()
    {
        using var h = new Harness();
        var a = await h.JoinStableAsync("g");
        Assert.Equal(ErrorCode.None, (await h.Coordinator.CommitOffsetsAsync("g", a.Generation, a.MemberId, null, -1, [new OffsetCommitPartition("t", 0, 10, -1, "ok")]))[0]);

        var stale = await h.Coordinator.CommitOffsetsAsync("g", a.Generation - 1, a.MemberId, null, -1, [new OffsetCommitPartition("t", 0, 99, -1, "stale")]);
        Assert.Equal(ErrorCode.IllegalGeneration, stale[0]);
        var unknown = await h.Coordinator.CommitOffsetsAsync("g", a.Generation, "intruder", null, -1, [new OffsetCommitPartition("t", 0, 98, -1, "unknown")]);
        Assert.Equal(ErrorCode.UnknownMemberId, unknown[0]);
        // Simple commits are for groups without members.
        var simple = await h.Coordinator.CommitOffsetsAsync("g", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 97, -1, "simple")]);
        Assert.Equal(ErrorCode.UnknownMemberId, simple[0]);
        // A member commit to a group that does not exist.
        var noGroup = await h.Coordinator.CommitOffsetsAsync("none", 3, "m", null, -1, [new OffsetCommitPartition("t", 0, 1, -1, null)]);
        Assert.Equal(ErrorCode.IllegalGeneration, noGroup[0]);

        Assert.Equal((10L, "ok"), (Fetch(h, "g").Offset, Fetch(h, "g").Metadata));
        Assert.Equal(-1, Fetch(h, "none").Offset);
    }

    [Fact]
    public async Task CommitDuringCompletingRebalanceIsRejected()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g")).WaitAsync(Harness.Wait);
        var errors = await h.Coordinator.CommitOffsetsAsync("g", a.GenerationId, a.MemberId, null, -1, [new OffsetCommitPartition("t", 0, 1, -1, null)]);
        Assert.Equal(ErrorCode.RebalanceInProgress, errors[0]);
    }

    [Fact]
    public async Task OversizedMetadataIsRejectedPerPartition()
    {
        using var h = new Harness();
        var errors = await h.Coordinator.CommitOffsetsAsync("g", -1, "", null, -1,
            [new OffsetCommitPartition("t", 0, 1, -1, new string('x', 5000)), new OffsetCommitPartition("t", 1, 1, -1, "fine")]);
        Assert.Equal([ErrorCode.OffsetMetadataTooLarge, ErrorCode.None], errors);
    }

    [Fact]
    public async Task FailedWriteLeavesNothingVisible()
    {
        using var h = new Harness();
        h.Log.FailWith = ErrorCode.NotLeaderOrFollower;
        var errors = await h.Coordinator.CommitOffsetsAsync("g", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 5, -1, null)]);
        Assert.Equal(ErrorCode.NotCoordinator, errors[0]);
        Assert.Equal(-1, Fetch(h, "g").Offset);
    }

    [Fact]
    public async Task RequireStableReportsCommitsStillBeingWritten()
    {
        var log = new BlockingLog();
        using var h = new Harness(log: log);
        var commit = h.Coordinator.CommitOffsetsAsync("g", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 5, -1, null)]);
        Assert.Equal(ErrorCode.UnstableOffsetCommit, h.Coordinator.FetchOffsets("g", T0, requireStable: true).Offsets[0].Error);
        Assert.Equal(ErrorCode.None, h.Coordinator.FetchOffsets("g", T0, requireStable: false).Offsets[0].Error);
        log.Release.SetResult();
        await commit.WaitAsync(Harness.Wait);
        var stable = h.Coordinator.FetchOffsets("g", T0, requireStable: true).Offsets[0];
        Assert.Equal((ErrorCode.None, 5L), (stable.Error, stable.Offset));
    }

    private sealed class BlockingLog : InMemoryCoordinatorLogBase
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<ErrorCode> AppendAsync(int partition, IReadOnlyList<CoordinatorRecord> records, CancellationToken cancellationToken = default)
        {
            await Release.Task;
            return ErrorCode.None;
        }
    }

    [Fact]
    public async Task DeleteGroupsOnlyDeletesEmptyGroupsAndWritesTombstones()
    {
        using var h = new Harness();
        var a = await h.JoinStableAsync("busy");
        Assert.Equal(ErrorCode.NonEmptyGroup, await h.Coordinator.DeleteGroupAsync("busy"));
        Assert.Equal(ErrorCode.GroupIdNotFound, await h.Coordinator.DeleteGroupAsync("missing"));

        await h.Coordinator.CommitOffsetsAsync("idle", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 5, -1, null)]);
        Assert.Equal(ErrorCode.None, await h.Coordinator.DeleteGroupAsync("idle"));
        Assert.Equal(-1, Fetch(h, "idle").Offset);
        Assert.DoesNotContain(h.Coordinator.ListGroups(null).Groups, g => g.GroupId == "idle");
        var tail = h.Log.Records(GroupCoordinator.PartitionFor("idle", 50)).TakeLast(2).ToArray();
        Assert.All(tail, r => Assert.Null(r.Value));
        Assert.True(GroupRecords.ReadKey(tail[0].Key).IsOffset);
        Assert.False(GroupRecords.ReadKey(tail[1].Key).IsOffset);
        _ = a;
    }

    [Fact]
    public async Task OffsetDeleteRespectsSubscriptions()
    {
        using var h = new Harness();
        var subscription = new ConsumerProtocolSubscription { Topics = ["subscribed"] };
        var buffer = new ArrayBufferWriter<byte>();
        buffer.Write(new byte[] { 0, 1 });
        subscription.Write(buffer, 1);
        var join = await h.Coordinator.JoinGroupAsync(Harness.Join("g", protocols: [new GroupProtocol("range", buffer.WrittenSpan.ToArray())])).WaitAsync(Harness.Wait);
        await h.Coordinator.SyncGroupAsync("g", join.GenerationId, join.MemberId, null, null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);
        await h.Coordinator.CommitOffsetsAsync("g", join.GenerationId, join.MemberId, null, -1,
            [new OffsetCommitPartition("subscribed", 0, 1, -1, null), new OffsetCommitPartition("old", 0, 2, -1, null)]);

        var (error, errors) = await h.Coordinator.DeleteOffsetsAsync("g", [("subscribed", 0), ("old", 0)]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal([ErrorCode.GroupSubscribedToTopic, ErrorCode.None], errors);
        Assert.Equal(1, Fetch(h, "g", "subscribed").Offset);
        Assert.Equal(-1, Fetch(h, "g", "old").Offset);
        Assert.Equal(ErrorCode.GroupIdNotFound, (await h.Coordinator.DeleteOffsetsAsync("nope", [("t", 0)])).Error);
    }

    [Fact]
    public async Task OffsetsOfEmptyGroupsExpireAfterRetention()
    {
        using var h = new Harness(new GroupCoordinatorOptions { GroupInitialRebalanceDelayMs = 0, OffsetsRetentionMs = 60_000 });
        await h.Coordinator.CommitOffsetsAsync("old", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 5, -1, null)]);
        var a = await h.JoinStableAsync("active");
        await h.Coordinator.CommitOffsetsAsync("active", a.Generation, a.MemberId, null, -1, [new OffsetCommitPartition("t", 0, 6, -1, null)]);
        // The active member heartbeats throughout; only the empty group's offsets go.
        for (int i = 1; i <= 14; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(ErrorCode.None, h.Coordinator.Heartbeat("active", a.Generation, a.MemberId, null));
            if (i == 6) Assert.Equal(0, await h.Coordinator.ExpireOffsetsAsync());
        }
        Assert.Equal(1, await h.Coordinator.ExpireOffsetsAsync());
        Assert.Equal(-1, Fetch(h, "old").Offset);
        Assert.Equal(6, Fetch(h, "active").Offset);
        Assert.DoesNotContain(h.Coordinator.ListGroups(null).Groups, g => g.GroupId == "old");
    }

    [Fact]
    public async Task ListAndDescribeShowStatesAndMembers()
    {
        using var h = new Harness();
        var a = await h.JoinStableAsync("stable-group", assignment: [9]);
        await h.Coordinator.CommitOffsetsAsync("empty-group", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 5, -1, null)]);

        Assert.Equal(["stable-group"], h.Coordinator.ListGroups(["stable"]).Groups.Select(g => g.GroupId));
        Assert.Equal(["empty-group"], h.Coordinator.ListGroups(["Empty"]).Groups.Select(g => g.GroupId));
        Assert.Equal(2, h.Coordinator.ListGroups([]).Groups.Count);

        var d = h.Coordinator.DescribeGroup("stable-group");
        Assert.Equal((GroupState.Stable, "consumer", "range"), (d.State, d.ProtocolType, d.ProtocolName));
        var m = Assert.Single(d.Members);
        Assert.Equal((a.MemberId, "client", "/127.0.0.1"), (m.MemberId, m.ClientId, m.ClientHost));
        Assert.Equal([9], m.Assignment);
        Assert.Equal(GroupState.Dead, h.Coordinator.DescribeGroup("unknown").State);
    }
}
