using Samsa.Broker.Groups;
using Samsa.Protocol;

namespace Samsa.Groups.Tests.Coordinator;

public class MembershipTests
{
    [Theory]
    [InlineData("test", 48)]
    [InlineData("my-group", 12)]
    [InlineData("console-consumer-12345", 6)]
    [InlineData("polygenelubricants", 0)] // Java hashCode is int.MinValue: Kafka's abs gives 0
    [InlineData("", 0)]
    public void GroupsMapToPartitionsAsKafkaDoes(string group, int partition) =>
        Assert.Equal(partition, GroupCoordinator.PartitionFor(group, 50));

    [Fact]
    public async Task FirstJoinV4GetsMemberIdRequiredThenJoinsWithIt()
    {
        using var h = new Harness();
        var first = await h.Coordinator.JoinGroupAsync(Harness.Join("g", requireKnownMemberId: true));
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("client-", first.MemberId);
        Assert.Equal(GroupState.Empty, h.State("g"));

        var join = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: first.MemberId, requireKnownMemberId: true)).WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.None, join.Error);
        Assert.Equal(first.MemberId, join.MemberId);
        Assert.Equal(first.MemberId, join.LeaderId);
        Assert.Equal(1, join.GenerationId);
        Assert.Equal("range", join.ProtocolName);
        Assert.Single(join.MemberList);
        Assert.Equal(GroupState.CompletingRebalance, h.State("g"));
    }

    [Fact]
    public async Task LeaderAssignsAndEveryMemberGetsItsPartOnceWritten()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g")).WaitAsync(Harness.Wait);
        var sa = await h.Coordinator.SyncGroupAsync("g", a.GenerationId, a.MemberId, null, null, null, new Dictionary<string, byte[]> { [a.MemberId] = [1] });
        Assert.Equal(GroupState.Stable, h.State("g"));

        // A second member joins: the first learns of the rebalance from its heartbeat and rejoins.
        var bJoin = h.Coordinator.JoinGroupAsync(Harness.Join("g"));
        Assert.Equal(GroupState.PreparingRebalance, h.State("g"));
        Assert.False(bJoin.IsCompleted);
        Assert.Equal(ErrorCode.RebalanceInProgress, h.Coordinator.Heartbeat("g", a.GenerationId, a.MemberId, null));
        var aJoin = h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: a.MemberId));
        var a2 = await aJoin.WaitAsync(Harness.Wait);
        var b2 = await bJoin.WaitAsync(Harness.Wait);
        Assert.Equal(2, a2.GenerationId);
        Assert.Equal(2, b2.GenerationId);
        Assert.Equal(a.MemberId, a2.LeaderId);
        Assert.Equal(2, a2.MemberList.Count);
        Assert.Empty(b2.MemberList);

        // The follower syncs first and waits; the leader's assignment releases both.
        var bSync = h.Coordinator.SyncGroupAsync("g", 2, b2.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.False(bSync.IsCompleted);
        var aSync = await h.Coordinator.SyncGroupAsync("g", 2, a2.MemberId, null, "consumer", "range",
            new Dictionary<string, byte[]> { [a2.MemberId] = [0xA], [b2.MemberId] = [0xB] }).WaitAsync(Harness.Wait);
        Assert.Equal([0xA], aSync.AssignmentBytes);
        Assert.Equal([0xB], (await bSync.WaitAsync(Harness.Wait)).AssignmentBytes);
        Assert.Equal(GroupState.Stable, h.State("g"));
        Assert.Equal(ErrorCode.None, h.Coordinator.Heartbeat("g", 2, b2.MemberId, null));
        Assert.Equal(ErrorCode.IllegalGeneration, h.Coordinator.Heartbeat("g", 1, b2.MemberId, null));
        Assert.Equal(ErrorCode.UnknownMemberId, h.Coordinator.Heartbeat("g", 2, "nobody", null));
    }

    [Fact]
    public async Task FollowerRejoiningUnchangedDoesNotRebalance()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g")).WaitAsync(Harness.Wait);
        var b = h.Coordinator.JoinGroupAsync(Harness.Join("g"));
        var a2 = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: a.MemberId)).WaitAsync(Harness.Wait);
        var b2 = await b.WaitAsync(Harness.Wait);
        await h.Coordinator.SyncGroupAsync("g", a2.GenerationId, a2.MemberId, null, null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);
        Assert.Equal(GroupState.Stable, h.State("g"));

        var again = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: b2.MemberId)).WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.None, again.Error);
        Assert.Equal(a2.GenerationId, again.GenerationId);
        Assert.Equal(GroupState.Stable, h.State("g"));
    }

    [Fact]
    public async Task MemberWithoutHeartbeatIsRemovedAfterSessionTimeout()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g", sessionTimeoutMs: 10_000)).WaitAsync(Harness.Wait);
        var b = h.Coordinator.JoinGroupAsync(Harness.Join("g", sessionTimeoutMs: 6_000));
        var a2 = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: a.MemberId, sessionTimeoutMs: 10_000)).WaitAsync(Harness.Wait);
        var b2 = await b.WaitAsync(Harness.Wait);
        await h.Coordinator.SyncGroupAsync("g", a2.GenerationId, a2.MemberId, null, null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);
        await h.Coordinator.SyncGroupAsync("g", b2.GenerationId, b2.MemberId, null, null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);

        // a keeps heartbeating, b goes silent.
        for (int i = 0; i < 4; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(2));
            h.Coordinator.Heartbeat("g", a2.GenerationId, a2.MemberId, null);
        }
        Assert.Equal(GroupState.PreparingRebalance, h.State("g"));
        Assert.Equal(ErrorCode.UnknownMemberId, h.Coordinator.Heartbeat("g", b2.GenerationId, b2.MemberId, null));
        Assert.Equal(ErrorCode.RebalanceInProgress, h.Coordinator.Heartbeat("g", a2.GenerationId, a2.MemberId, null));
        var a3 = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: a.MemberId)).WaitAsync(Harness.Wait);
        Assert.Single(a3.MemberList);
        Assert.Equal(a2.GenerationId + 1, a3.GenerationId);
    }

    /// <summary>A fake clock whose wall time can lag behind its timers, as the real wall clock may
    /// lag the monotonic clock timers run on.</summary>
    private sealed class LaggingClock : Microsoft.Extensions.Time.Testing.FakeTimeProvider
    {
        public LaggingClock() : base(DateTimeOffset.UnixEpoch.AddDays(20000)) { }

        public TimeSpan Lag { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() - Lag;
    }

    [Fact]
    public async Task SessionTimerFiringBeforeTheWallClockDeadlineStillRemovesTheMember()
    {
        var clock = new LaggingClock();
        using var h = new Harness(time: clock);
        var a = await h.JoinStableAsync("g");
        clock.Lag = TimeSpan.FromMilliseconds(1);
        h.Time.Advance(TimeSpan.FromSeconds(10)); // the timer fires 1 ms "early"
        clock.Lag = TimeSpan.Zero;
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(GroupState.Empty, h.State("g"));
        Assert.Equal(ErrorCode.UnknownMemberId, h.Coordinator.Heartbeat("g", a.Generation, a.MemberId, null));
    }

    [Fact]
    public async Task MemberKeptAliveWhileAwaitingItsAssignmentStillExpiresLater()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g", sessionTimeoutMs: 10_000)).WaitAsync(Harness.Wait);
        var b = h.Coordinator.JoinGroupAsync(Harness.Join("g", sessionTimeoutMs: 6_000));
        var a2 = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: a.MemberId, sessionTimeoutMs: 10_000)).WaitAsync(Harness.Wait);
        var b2 = await b.WaitAsync(Harness.Wait);

        // b waits for the leader's assignment longer than its session timeout: it is kept.
        var bSync = h.Coordinator.SyncGroupAsync("g", b2.GenerationId, b2.MemberId, null, null, null, new Dictionary<string, byte[]>());
        h.Time.Advance(TimeSpan.FromSeconds(7));
        await h.Coordinator.SyncGroupAsync("g", a2.GenerationId, a2.MemberId, null, null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.None, (await bSync.WaitAsync(Harness.Wait)).Error);
        Assert.Equal(GroupState.Stable, h.State("g"));

        // Then b goes silent: its session, started again with the assignment, runs out.
        for (int i = 0; i < 4; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(2));
            h.Coordinator.Heartbeat("g", a2.GenerationId, a2.MemberId, null);
        }
        Assert.Equal(GroupState.PreparingRebalance, h.State("g"));
        Assert.Equal(ErrorCode.UnknownMemberId, h.Coordinator.Heartbeat("g", b2.GenerationId, b2.MemberId, null));
    }

    [Fact]
    public async Task MemberNotRejoiningWithinTheRebalanceTimeoutIsDropped()
    {
        using var h = new Harness();
        var a = await h.JoinStableAsync("g");
        var b = h.Coordinator.JoinGroupAsync(Harness.Join("g", rebalanceTimeoutMs: 20_000));
        // a never rejoins but keeps heartbeating, so only the rebalance timeout (a's 30 s, the
        // largest) can drop it.
        for (int i = 1; i < 6; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(ErrorCode.RebalanceInProgress, h.Coordinator.Heartbeat("g", a.Generation, a.MemberId, null));
            Assert.False(b.IsCompleted);
        }
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var b2 = await b.WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.None, b2.Error);
        Assert.Equal(b2.MemberId, b2.LeaderId);
        Assert.Single(b2.MemberList);
    }

    [Fact]
    public async Task InitialRebalanceDelayWaitsForMoreMembers()
    {
        using var h = new Harness(new GroupCoordinatorOptions { GroupInitialRebalanceDelayMs = 3000 });
        var a = h.Coordinator.JoinGroupAsync(Harness.Join("g"));
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(a.IsCompleted);
        var b = h.Coordinator.JoinGroupAsync(Harness.Join("g"));
        h.Time.Advance(TimeSpan.FromSeconds(1.5));
        // A member arrived during the delay: it is extended once more.
        Assert.False(a.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        var (ra, rb) = (await a.WaitAsync(Harness.Wait), await b.WaitAsync(Harness.Wait));
        Assert.Equal(1, ra.GenerationId);
        Assert.Equal(1, rb.GenerationId);
        Assert.Equal(2, ra.MemberList.Count + rb.MemberList.Count);
    }

    [Fact]
    public async Task ProtocolAllMembersSupportIsChosenByVotes()
    {
        using var h = new Harness();
        var a = h.Coordinator.JoinGroupAsync(Harness.Join("g", protocols: Harness.Protocols("range", "roundrobin")));
        var first = await a.WaitAsync(Harness.Wait);
        var b = h.Coordinator.JoinGroupAsync(Harness.Join("g", protocols: Harness.Protocols("roundrobin", "range")));
        var c = h.Coordinator.JoinGroupAsync(Harness.Join("g", protocols: Harness.Protocols("roundrobin")));
        var a2 = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: first.MemberId, protocols: Harness.Protocols("range", "roundrobin"))).WaitAsync(Harness.Wait);
        Assert.Equal("roundrobin", a2.ProtocolName);
        Assert.Equal("roundrobin", (await b.WaitAsync(Harness.Wait)).ProtocolName);
        Assert.Equal("roundrobin", (await c.WaitAsync(Harness.Wait)).ProtocolName);
        // The leader gets each member's metadata for the chosen protocol.
        Assert.All(a2.MemberList, m => Assert.Equal("meta-roundrobin", System.Text.Encoding.UTF8.GetString(m.Metadata)));

        var d = await h.Coordinator.JoinGroupAsync(Harness.Join("g", protocols: Harness.Protocols("sticky")));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, d.Error);
        var e = await h.Coordinator.JoinGroupAsync(Harness.Join("g", protocols: Harness.Protocols("roundrobin"), protocolType: "connect"));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, e.Error);
    }

    [Fact]
    public async Task AnyProtocolTypeWorks()
    {
        using var h = new Harness();
        var join = await h.Coordinator.JoinGroupAsync(Harness.Join("connect-cluster", protocols: Harness.Protocols("sessioned"), protocolType: "connect")).WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.None, join.Error);
        Assert.Equal("connect", join.ProtocolType);
        Assert.Equal("sessioned", join.ProtocolName);
    }

    [Fact]
    public async Task SessionTimeoutOutsideTheBrokerLimitsIsRejected()
    {
        using var h = new Harness();
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await h.Coordinator.JoinGroupAsync(Harness.Join("g", sessionTimeoutMs: 1000))).Error);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await h.Coordinator.JoinGroupAsync(Harness.Join("g", sessionTimeoutMs: 2_000_000))).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, (await h.Coordinator.JoinGroupAsync(Harness.Join(""))).Error);
    }

    [Fact]
    public async Task GroupMaxSizeIsEnforced()
    {
        using var h = new Harness(new GroupCoordinatorOptions { GroupInitialRebalanceDelayMs = 0, GroupMaxSize = 1 });
        await h.JoinStableAsync("g");
        Assert.Equal(ErrorCode.GroupMaxSizeReached, (await h.Coordinator.JoinGroupAsync(Harness.Join("g"))).Error);
    }

    [Fact]
    public async Task StaticMemberRestartGetsItsAssignmentBackWithoutRebalance()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g", instanceId: "i-a")).WaitAsync(Harness.Wait);
        var b = h.Coordinator.JoinGroupAsync(Harness.Join("g", instanceId: "i-b"));
        var a2 = await h.Coordinator.JoinGroupAsync(Harness.Join("g", memberId: a.MemberId, instanceId: "i-a")).WaitAsync(Harness.Wait);
        var b2 = await b.WaitAsync(Harness.Wait);
        await h.Coordinator.SyncGroupAsync("g", a2.GenerationId, a2.MemberId, "i-a", null, null,
            new Dictionary<string, byte[]> { [a2.MemberId] = [0xA], [b2.MemberId] = [0xB] }).WaitAsync(Harness.Wait);
        await h.Coordinator.SyncGroupAsync("g", b2.GenerationId, b2.MemberId, "i-b", null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);

        // b restarts: a new member id for the same instance id, same generation, same assignment.
        var b3 = await h.Coordinator.JoinGroupAsync(Harness.Join("g", instanceId: "i-b")).WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.None, b3.Error);
        Assert.NotEqual(b2.MemberId, b3.MemberId);
        Assert.Equal(b2.GenerationId, b3.GenerationId);
        Assert.Equal(GroupState.Stable, h.State("g"));
        var sync = await h.Coordinator.SyncGroupAsync("g", b3.GenerationId, b3.MemberId, "i-b", null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);
        Assert.Equal([0xB], sync.AssignmentBytes);
        Assert.Equal(ErrorCode.None, h.Coordinator.Heartbeat("g", a2.GenerationId, a2.MemberId, "i-a"));

        // The old instance is fenced.
        Assert.Equal(ErrorCode.FencedInstanceId, h.Coordinator.Heartbeat("g", b2.GenerationId, b2.MemberId, "i-b"));
        var commit = await h.Coordinator.CommitOffsetsAsync("g", b2.GenerationId, b2.MemberId, "i-b", -1, [new OffsetCommitPartition("t", 0, 5, -1, null)]);
        Assert.Equal(ErrorCode.FencedInstanceId, commit[0]);
    }

    [Fact]
    public async Task LeaveGroupRebalancesTheRestAndReportsUnknownMembers()
    {
        using var h = new Harness();
        var a = await h.JoinStableAsync("g");
        var (error, errors) = h.Coordinator.LeaveGroup("g", [new LeavingMember(a.MemberId, null), new LeavingMember("ghost", null)]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId], errors);
        await Harness.Eventually(() => h.State("g") == GroupState.Empty, "the group is empty");
        Assert.Equal(ErrorCode.UnknownMemberId, h.Coordinator.LeaveGroup("nope", [new LeavingMember("x", null)]).MemberErrors[0]);
    }

    [Fact]
    public async Task PendingRebalanceOfOneGroupDoesNotHoldUpAnother()
    {
        using var h = new Harness();
        var a = await h.JoinStableAsync("slow");
        // "slow" waits for a to rejoin (30 s rebalance timeout); meanwhile other groups complete.
        var pending = h.Coordinator.JoinGroupAsync(Harness.Join("slow"));
        var tasks = Enumerable.Range(0, 20).Select(i => h.Coordinator.JoinGroupAsync(Harness.Join("other-" + i))).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(Harness.Wait);
        Assert.All(results, r => Assert.Equal(ErrorCode.None, r.Error));
        Assert.False(pending.IsCompleted);
        Assert.Equal(ErrorCode.RebalanceInProgress, h.Coordinator.Heartbeat("slow", a.Generation, a.MemberId, null));
    }

    [Fact]
    public async Task SyncAnswersAreWellFormedForMembersWithoutAssignment()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g")).WaitAsync(Harness.Wait);
        var sync = await h.Coordinator.SyncGroupAsync("g", a.GenerationId, a.MemberId, null, null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.None, sync.Error);
        Assert.NotNull(sync.AssignmentBytes);
        Assert.Empty(sync.AssignmentBytes);
        var stale = await h.Coordinator.SyncGroupAsync("g", a.GenerationId + 1, a.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.Equal(ErrorCode.IllegalGeneration, stale.Error);
        var wrongProtocol = await h.Coordinator.SyncGroupAsync("g", a.GenerationId, a.MemberId, null, "consumer", "roundrobin", new Dictionary<string, byte[]>());
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, wrongProtocol.Error);
    }

    [Fact]
    public async Task FailedAssignmentWriteSendsTheGroupBackToRebalance()
    {
        using var h = new Harness();
        var a = await h.Coordinator.JoinGroupAsync(Harness.Join("g")).WaitAsync(Harness.Wait);
        h.Log.FailWith = ErrorCode.NotLeaderOrFollower;
        var sync = await h.Coordinator.SyncGroupAsync("g", a.GenerationId, a.MemberId, null, null, null, new Dictionary<string, byte[]>()).WaitAsync(Harness.Wait);
        Assert.Equal(ErrorCode.NotCoordinator, sync.Error);
        Assert.Equal(GroupState.PreparingRebalance, h.State("g"));
    }
}
