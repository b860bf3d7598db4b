using Samsa.Broker.Groups;
using Samsa.Protocol;
using Samsa.Storage;

namespace Samsa.Groups.Tests.Coordinator;

public class PersistenceTests
{
    [Fact]
    public void OffsetKeyAndValueBytesAreKafkas()
    {
        // key: version 1, group "g", topic "t", partition 2
        Assert.Equal(Convert.FromHexString("0001" + "000167" + "000174" + "00000002"), GroupRecords.OffsetKey("g", "t", 2));
        // value: version 3, offset 5, leader epoch 7, metadata "m", commit timestamp 9
        Assert.Equal(Convert.FromHexString("0003" + "0000000000000005" + "00000007" + "00016D" + "0000000000000009"),
            GroupRecords.OffsetValue(new CommittedOffset(5, 7, "m", 9)));
        // value v1 when an expire timestamp is set: offset, metadata, commit and expire timestamps
        Assert.Equal(Convert.FromHexString("0001" + "0000000000000005" + "0000" + "0000000000000009" + "000000000000000A"),
            GroupRecords.OffsetValue(new CommittedOffset(5, -1, "", 9, 10)));
        // group key: version 2, group "g"
        Assert.Equal(Convert.FromHexString("0002" + "000167"), GroupRecords.GroupKey("g"));
    }

    [Fact]
    public void OlderOffsetValueVersionsAreRead()
    {
        var v0 = GroupRecords.ReadOffsetValue(Convert.FromHexString("0000" + "0000000000000005" + "00016D" + "0000000000000009"));
        Assert.Equal(new CommittedOffset(5, -1, "m", 9), v0);
        var key0 = GroupRecords.ReadKey(Convert.FromHexString("0000" + "000167" + "000174" + "00000002"));
        Assert.Equal(new GroupRecords.Key(true, "g", "t", 2), key0);
        Assert.Throws<UnsupportedVersionException>(() => GroupRecords.ReadKey(Convert.FromHexString("0007")));
        Assert.Throws<InsufficientDataException>(() => GroupRecords.ReadKey(new byte[1]));
    }

    [Fact]
    public async Task CoordinatorStateIsRebuiltFromTheLog()
    {
        var log = new InMemoryCoordinatorLog();
        string memberId;
        int generation;
        using (var h = new Harness(log: log))
        {
            (memberId, generation) = await h.JoinStableAsync("g", instanceId: "static-1", assignment: [7, 7]);
            await h.Coordinator.CommitOffsetsAsync("g", generation, memberId, "static-1", -1, [new OffsetCommitPartition("t", 0, 11, 3, "meta")]);
            await h.Coordinator.CommitOffsetsAsync("g", generation, memberId, "static-1", -1, [new OffsetCommitPartition("t", 0, 12, 3, "meta2")]);
            await h.Coordinator.CommitOffsetsAsync("gone", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 1, -1, null)]);
            Assert.Equal(ErrorCode.None, await h.Coordinator.DeleteGroupAsync("gone"));
        }

        using var reloaded = new Harness(log: log);
        var d = reloaded.Coordinator.DescribeGroup("g");
        Assert.Equal(GroupState.Stable, d.State);
        Assert.Equal("range", d.ProtocolName);
        var m = Assert.Single(d.Members);
        Assert.Equal((memberId, "static-1"), (m.MemberId, m.GroupInstanceId));
        Assert.Equal([7, 7], m.Assignment);
        var o = reloaded.Coordinator.FetchOffsets("g", [("t", [0])], false).Offsets[0];
        Assert.Equal((12L, 3, "meta2"), (o.Offset, o.LeaderEpoch, o.Metadata));
        Assert.Equal(-1, reloaded.Coordinator.FetchOffsets("gone", [("t", [0])], false).Offsets[0].Offset);

        // The loaded member carries on in the same generation.
        Assert.Equal(ErrorCode.None, reloaded.Coordinator.Heartbeat("g", generation, memberId, "static-1"));
        // And is dropped if it never comes back.
        reloaded.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(ErrorCode.UnknownMemberId, reloaded.Coordinator.Heartbeat("g", generation, memberId, "static-1"));
    }

    [Fact]
    public async Task UnreadableRecordsAreSkippedOnLoad()
    {
        var log = new InMemoryCoordinatorLog();
        int p = GroupCoordinator.PartitionFor("g", 50);
        await log.AppendAsync(p, [new CoordinatorRecord([0, 9, 1], [1]), new CoordinatorRecord(GroupRecords.OffsetKey("g", "t", 0), [0, 0, 1])]);
        await log.AppendAsync(p, [new CoordinatorRecord(GroupRecords.OffsetKey("g", "t", 1), GroupRecords.OffsetValue(new CommittedOffset(4, -1, "", 1)))]);
        using var h = new Harness(log: log);
        Assert.Equal(4, h.Coordinator.FetchOffsets("g", [("t", [1])], false).Offsets[0].Offset);
    }

    [Fact]
    public async Task LocalLogKeepsCommitsAcrossAReopenAndIsCompacted()
    {
        string dir = Path.Combine(Path.GetTempPath(), "samsa-groups-" + Guid.NewGuid().ToString("N"));
        try
        {
            await CommitAndReopen(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task CommitAndReopen(string dir)
    {
        using (var logs = LogManager.Open(new LogManagerOptions { LogDir = dir, StartScheduler = false }))
        {
            var log = new LocalCoordinatorLog(logs, 3, Guid.Empty);
            using var coordinator = new GroupCoordinator(log, new GroupCoordinatorOptions { OffsetsTopicNumPartitions = 3 });
            for (int p = 0; p < 3; p++) coordinator.LoadPartition(p);
            Assert.Equal(ErrorCode.None, (await coordinator.CommitOffsetsAsync("g", -1, "", null, -1, [new OffsetCommitPartition("t", 0, 8, -1, "x")]))[0]);
            Assert.True(logs.GetLog(LocalCoordinatorLog.TopicName, GroupCoordinator.PartitionFor("g", 3))!.Config.Compact);
        }
        using (var logs = LogManager.Open(new LogManagerOptions { LogDir = dir, StartScheduler = false }))
        {
            var log = new LocalCoordinatorLog(logs, 3, Guid.Empty);
            using var coordinator = new GroupCoordinator(log, new GroupCoordinatorOptions { OffsetsTopicNumPartitions = 3 });
            for (int p = 0; p < 3; p++) coordinator.LoadPartition(p);
            var o = coordinator.FetchOffsets("g", [("t", [0])], false).Offsets[0];
            Assert.Equal((8L, "x"), (o.Offset, o.Metadata));
        }
    }
}
