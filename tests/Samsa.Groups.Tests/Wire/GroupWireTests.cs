using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Groups.Tests.Wire;

/// <summary>The group APIs byte for byte against a real broker process, across versions.</summary>
public class GroupWireTests
{
    private static Task<SamsaProcess> StartBrokerAsync() =>
        SamsaProcess.StartAsync(new SamsaProcessOptions { Overrides = { ["group.initial.rebalance.delay.ms"] = "0" } });

    /// <summary>Stops and restarts the broker; RestartAsync returns once the new process is ready.</summary>
    internal static async Task RestartAsync(SamsaProcess broker)
    {
        await broker.StopAsync();
        await broker.RestartAsync();
        Assert.Equal(2, broker.OutputLines.Count(l => l.Contains(" ready in ", StringComparison.Ordinal)));
    }

    /// <summary>What a client does first: find the coordinator (creating the offsets topic), then
    /// retry until the group's partition has loaded.</summary>
    private static async Task ReadyAsync(KafkaWireClient client, string group)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var find = await client.RoundTripAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = group }, 1);
            if (find.ErrorCode == 0)
            {
                var fetch = await client.RoundTripAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest { GroupId = group, Topics = null }, 5);
                if (fetch.ErrorCode == 0) return;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the coordinator of {group} did not become ready");
            await Task.Delay(50);
        }
    }

    private static JoinGroupRequest Join(string group, string memberId = "", string? instanceId = null) => new()
    {
        GroupId = group,
        MemberId = memberId,
        GroupInstanceId = instanceId,
        SessionTimeoutMs = 10_000,
        RebalanceTimeoutMs = 30_000,
        ProtocolType = "consumer",
        Protocols = [new JoinGroupRequest.JoinGroupRequestProtocol { Name = "range", Metadata = [0, 1, 2] }],
    };

    private static async Task<JoinGroupResponse> JoinAsync(KafkaWireClient client, string group, short version = 5, string? instanceId = null)
    {
        var first = await client.RoundTripAsync<JoinGroupRequest, JoinGroupResponse>(Join(group, instanceId: version >= 5 ? instanceId : null), version);
        if (first.ErrorCode != (short)ErrorCode.MemberIdRequired) return first;
        return await client.RoundTripAsync<JoinGroupRequest, JoinGroupResponse>(Join(group, first.MemberId, version >= 5 ? instanceId : null), version);
    }

    private static async Task<SyncGroupResponse> SyncAsync(KafkaWireClient client, string group, JoinGroupResponse join, byte[] assignment, short version = 3)
    {
        var request = new SyncGroupRequest { GroupId = group, GenerationId = join.GenerationId, MemberId = join.MemberId };
        if (join.Leader == join.MemberId)
        {
            request.Assignments.Add(new SyncGroupRequest.SyncGroupRequestAssignment { MemberId = join.MemberId, Assignment = assignment });
        }
        return await client.RoundTripAsync<SyncGroupRequest, SyncGroupResponse>(request, version);
    }

    private static OffsetCommitRequest Commit(string group, int generation, string memberId, long offset, string metadata) => new()
    {
        GroupId = group,
        GenerationIdOrMemberEpoch = generation,
        MemberId = memberId,
        Topics =
        [
            new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = "t",
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset, CommittedMetadata = metadata }],
            },
        ],
    };

    private static async Task<OffsetFetchResponse.OffsetFetchResponsePartition> FetchAsync(KafkaWireClient client, string group, short version = 5)
    {
        var response = await client.RoundTripAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            GroupId = group,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = "t", PartitionIndexes = [0] }],
        }, version);
        return response.Topics.Single().Partitions.Single();
    }

    [Fact]
    public async Task FindCoordinatorAnswersThisBrokerInEveryVersion()
    {
        await using var broker = await StartBrokerAsync();
        await using var client = await KafkaWireClient.ConnectAsync(broker);
        for (short v = 0; v <= 3; v++)
        {
            var r = await client.RoundTripAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "my-group" }, v);
            Assert.Equal((short)ErrorCode.None, r.ErrorCode);
            Assert.Equal(broker.Port, r.Port);
            Assert.Equal(1, r.NodeId);
        }
        for (short v = 4; v <= 5; v++)
        {
            var r = await client.RoundTripAsync<FindCoordinatorRequest, FindCoordinatorResponse>(
                new FindCoordinatorRequest { CoordinatorKeys = ["a", "b", ""] }, v);
            Assert.Equal(["a", "b", ""], r.Coordinators.Select(c => c.Key));
            Assert.All(r.Coordinators.Take(2), c => Assert.Equal((0, broker.Port), (c.ErrorCode, c.Port)));
            Assert.Equal((short)ErrorCode.InvalidRequest, r.Coordinators[2].ErrorCode);
        }
        var txn = await client.RoundTripAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { Key = "tx", KeyType = 1 }, 2);
        Assert.Equal((short)ErrorCode.CoordinatorNotAvailable, txn.ErrorCode);
        var bad = await client.RoundTripAsync<FindCoordinatorRequest, FindCoordinatorResponse>(new FindCoordinatorRequest { CoordinatorKeys = ["x"], KeyType = 9 }, 4);
        Assert.Equal((short)ErrorCode.InvalidRequest, bad.Coordinators[0].ErrorCode);
    }

    [Fact]
    public async Task GroupLifecycleAcrossVersions()
    {
        await using var broker = await StartBrokerAsync();
        await using var a = await KafkaWireClient.ConnectAsync(broker);
        await using var b = await KafkaWireClient.ConnectAsync(broker);
        await ReadyAsync(a, "g");

        // v4+ asks for the member id first (KIP-394). (Another group: a pending member that never
        // comes back holds its group's rebalance until its session timeout, as in Kafka.)
        await ReadyAsync(a, "other");
        var required = await a.RoundTripAsync<JoinGroupRequest, JoinGroupResponse>(Join("other"), 4);
        Assert.Equal((short)ErrorCode.MemberIdRequired, required.ErrorCode);
        Assert.NotEmpty(required.MemberId);

        var ja = await JoinAsync(a, "g", version: 7);
        Assert.Equal((short)ErrorCode.None, ja.ErrorCode);
        Assert.Equal(("consumer", "range", ja.MemberId), (ja.ProtocolType, ja.ProtocolName, ja.Leader));
        Assert.Equal((short)ErrorCode.None, (await SyncAsync(a, "g", ja, [1], version: 5)).ErrorCode);

        // A second member (old version, no member id round) starts a rebalance on its own connection;
        // the first finds out through its heartbeat and rejoins.
        var jbTask = JoinAsync(b, "g", version: 2);
        HeartbeatResponse hb;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            hb = await a.RoundTripAsync<HeartbeatRequest, HeartbeatResponse>(
                new HeartbeatRequest { GroupId = "g", GenerationId = ja.GenerationId, MemberId = ja.MemberId }, 2);
        }
        while (hb.ErrorCode == 0 && DateTime.UtcNow < deadline && !jbTask.IsCompleted);
        Assert.Equal((short)ErrorCode.RebalanceInProgress, hb.ErrorCode);

        var ja2 = await a.RoundTripAsync<JoinGroupRequest, JoinGroupResponse>(Join("g", ja.MemberId), 5);
        var jb = await jbTask;
        Assert.Equal(ja.GenerationId + 1, ja2.GenerationId);
        Assert.Equal(2, ja2.Members.Count);
        Assert.Empty(jb.Members);

        var leaderSync = await SyncAsync(a, "g", ja2, [0xA]);
        var followerSync = await SyncAsync(b, "g", jb, []);
        Assert.Equal([0xA], leaderSync.Assignment);
        Assert.Empty(followerSync.Assignment);

        var listed = await a.RoundTripAsync<ListGroupsRequest, ListGroupsResponse>(new ListGroupsRequest { StatesFilter = ["Stable"] }, 4);
        var g = Assert.Single(listed.Groups);
        Assert.Equal(("g", "consumer", "Stable"), (g.GroupId, g.ProtocolType, g.GroupState));
        var described = await a.RoundTripAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["g", "missing"] }, 5);
        Assert.Equal(("Stable", "range", 2), (described.Groups[0].GroupState, described.Groups[0].ProtocolData, described.Groups[0].Members.Count));
        Assert.Equal("Dead", described.Groups[1].GroupState);

        var deleteBusy = await a.RoundTripAsync<DeleteGroupsRequest, DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["g"] }, 2);
        Assert.Equal((short)ErrorCode.NonEmptyGroup, deleteBusy.Results[0].ErrorCode);

        // Both leave in one batched request (v3+); the group is then empty and can be deleted.
        var leave = await a.RoundTripAsync<LeaveGroupRequest, LeaveGroupResponse>(new LeaveGroupRequest
        {
            GroupId = "g",
            Members =
            [
                new LeaveGroupRequest.MemberIdentity { MemberId = ja2.MemberId },
                new LeaveGroupRequest.MemberIdentity { MemberId = jb.MemberId },
                new LeaveGroupRequest.MemberIdentity { MemberId = "nobody" },
            ],
        }, 3);
        Assert.Equal([0, 0, (short)ErrorCode.UnknownMemberId], leave.Members.Select(m => m.ErrorCode));
        var deleted = await a.RoundTripAsync<DeleteGroupsRequest, DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = ["g", "missing"] }, 0);
        Assert.Equal([0, (short)ErrorCode.GroupIdNotFound], deleted.Results.Select(r => r.ErrorCode));
    }

    [Fact]
    public async Task BadCommitsAreRejectedAndLeaveNothingBehind()
    {
        await using var broker = await StartBrokerAsync();
        await Clients.ClientFixture.CreateTopicAsync(broker, "t", 1);
        await using var client = await KafkaWireClient.ConnectAsync(broker);
        await ReadyAsync(client, "g");
        var join = await JoinAsync(client, "g");
        await SyncAsync(client, "g", join, []);

        var ok = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit("g", join.GenerationId, join.MemberId, 10, "good"), 2);
        Assert.Equal(0, ok.Topics[0].Partitions[0].ErrorCode);
        var stale = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit("g", join.GenerationId - 1, join.MemberId, 20, "stale"), 2);
        Assert.Equal((short)ErrorCode.IllegalGeneration, stale.Topics[0].Partitions[0].ErrorCode);
        var unknown = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit("g", join.GenerationId, "who", 30, "unknown"), 8);
        Assert.Equal((short)ErrorCode.UnknownMemberId, unknown.Topics[0].Partitions[0].ErrorCode);

        var fetched = await FetchAsync(client, "g");
        Assert.Equal((10L, "good"), (fetched.CommittedOffset, fetched.Metadata));
    }

    [Fact]
    public async Task CommitsForTopicsOrPartitionsThatDoNotExistGetUnknownTopicOrPartition()
    {
        await using var broker = await StartBrokerAsync();
        await Clients.ClientFixture.CreateTopicAsync(broker, "t", 1);
        await using var client = await KafkaWireClient.ConnectAsync(broker);
        await ReadyAsync(client, "simple");
        await ReadyAsync(client, "nothing-valid");
        var request = Commit("simple", -1, "", 5, "m");
        request.Topics[0].Partitions.Add(new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 3, CommittedOffset = 6 });
        request.Topics.Add(new OffsetCommitRequest.OffsetCommitRequestTopic
        {
            Name = "missing",
            Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 7 }],
        });
        for (short v = 0; v <= 9; v += 3)
        {
            var response = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(request, v);
            Assert.Equal(["t", "missing"], response.Topics.Select(t => t.Name));
            Assert.Equal([(0, (short)0), (3, (short)ErrorCode.UnknownTopicOrPartition)], response.Topics[0].Partitions.Select(p => (p.PartitionIndex, p.ErrorCode)));
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Topics[1].Partitions.Single().ErrorCode);
        }
        // Only the existing partition was committed.
        var all = await client.RoundTripAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest { GroupId = "simple", Topics = null }, 5);
        var committed = Assert.Single(all.Topics);
        Assert.Equal("t", committed.Name);
        Assert.Equal([(0, 5L)], committed.Partitions.Select(p => (p.PartitionIndex, p.CommittedOffset)));

        // Nothing valid at all: no group is created either.
        var onlyMissing = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(new OffsetCommitRequest
        {
            GroupId = "nothing-valid",
            GenerationIdOrMemberEpoch = -1,
            Topics = [request.Topics[1]],
        }, 8);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, onlyMissing.Topics[0].Partitions[0].ErrorCode);
        var described = await client.RoundTripAsync<DescribeGroupsRequest, DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = ["nothing-valid"] }, 5);
        Assert.Equal("Dead", described.Groups[0].GroupState);
    }

    [Fact]
    public async Task OffsetsTopicIsCompactedAndTheLatestCommitSurvivesARestart()
    {
        await using var broker = await SamsaProcess.StartAsync(new SamsaProcessOptions
        {
            Overrides =
            {
                ["offsets.topic.num.partitions"] = "1",
                ["offsets.topic.segment.bytes"] = "16384",
                ["log.cleaner.backoff.ms"] = "100",
            },
        });
        await Clients.ClientFixture.CreateTopicAsync(broker, "t", 1);
        await using (var client = await KafkaWireClient.ConnectAsync(broker))
        {
            await ReadyAsync(client, "busy");
            // 3,000 commits of one partition: ~100 bytes each in __consumer_offsets, one key.
            for (int i = 1; i <= 3000; i++)
            {
                var r = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit("busy", -1, "", i, "m" + i), 8);
                Assert.Equal(0, r.Topics[0].Partitions[0].ErrorCode);
            }
            long size = 0;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((size = await OffsetsTopicSizeAsync(client)) >= 20_000)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"__consumer_offsets was not compacted: {size} bytes");
                await Task.Delay(50);
            }
        }

        // The coordinator rebuilds its state from the compacted log.
        await RestartAsync(broker);
        await using var after = await KafkaWireClient.ConnectAsync(broker);
        await ReadyAsync(after, "busy");
        var p = await FetchAsync(after, "busy");
        Assert.Equal((3000L, "m3000"), (p.CommittedOffset, p.Metadata));
    }

    private static async Task<long> OffsetsTopicSizeAsync(KafkaWireClient client)
    {
        var response = await client.RoundTripAsync<DescribeLogDirsRequest, DescribeLogDirsResponse>(new DescribeLogDirsRequest
        {
            Topics = [new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = "__consumer_offsets", Partitions = [0] }],
        }, 4);
        return response.Results.SelectMany(r => r.Topics).Single(t => t.Name == "__consumer_offsets").Partitions.Single().PartitionSize;
    }

    [Fact]
    public async Task CommittedOffsetsAndGroupsSurviveARestart()
    {
        await using var broker = await StartBrokerAsync();
        await Clients.ClientFixture.CreateTopicAsync(broker, "t", 1);
        await using (var client = await KafkaWireClient.ConnectAsync(broker))
        {
            await ReadyAsync(client, "simple");
            await ReadyAsync(client, "other");
            var simple = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit("simple", -1, "", 42, "meta data"), 0);
            Assert.Equal(0, simple.Topics[0].Partitions[0].ErrorCode);
            var v9 = await client.RoundTripAsync<OffsetCommitRequest, OffsetCommitResponse>(Commit("other", -1, "", 7, "x"), 9);
            Assert.Equal(0, v9.Topics[0].Partitions[0].ErrorCode);
        }
        await RestartAsync(broker);

        await using var after = await KafkaWireClient.ConnectAsync(broker);
        await ReadyAsync(after, "simple");
        await ReadyAsync(after, "other");
        for (short v = 0; v <= 7; v++)
        {
            var p = await FetchAsync(after, "simple", v);
            Assert.Equal((42L, "meta data", (short)0), (p.CommittedOffset, p.Metadata, p.ErrorCode));
        }
        // v8+: several groups in one request.
        var multi = await after.RoundTripAsync<OffsetFetchRequest, OffsetFetchResponse>(new OffsetFetchRequest
        {
            Groups =
            [
                new OffsetFetchRequest.OffsetFetchRequestGroup { GroupId = "simple", Topics = null },
                new OffsetFetchRequest.OffsetFetchRequestGroup
                {
                    GroupId = "other",
                    Topics = [new OffsetFetchRequest.OffsetFetchRequestTopics { Name = "t", PartitionIndexes = [0, 1] }],
                },
            ],
            RequireStable = true,
        }, 8);
        Assert.Equal(42, multi.Groups[0].Topics.Single().Partitions.Single().CommittedOffset);
        Assert.Equal([7L, -1L], multi.Groups[1].Topics.Single().Partitions.Select(p => p.CommittedOffset));
    }
}
