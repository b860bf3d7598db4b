using Confluent.Kafka;
using static Samsa.Groups.Tests.Clients.ClientFixture;

namespace Samsa.Groups.Tests.Clients;

/// <summary>Consumer groups of Confluent.Kafka (librdkafka) consumers against a real broker.</summary>
public class ConfluentGroupTests
{
    [Theory]
    [InlineData(PartitionAssignmentStrategy.Range)]
    [InlineData(PartitionAssignmentStrategy.RoundRobin)]
    [InlineData(PartitionAssignmentStrategy.CooperativeSticky)]
    public async Task FourConsumersShareThreePartitionsAndAStoppedOnesPartitionMoves(PartitionAssignmentStrategy strategy)
    {
        await using var broker = await StartBrokerAsync(partitions: 3);
        await CreateTopicAsync(broker, "t", 3);
        var members = Enumerable.Range(0, 4)
            .Select(i => new GroupMember(broker.BootstrapServers, "g", "t", "member-" + i, c => c.PartitionAssignmentStrategy = strategy))
            .ToList();
        try
        {
            // 3 members own one partition each, one is idle.
            await WaitUntilAsync(() => OwnedOnceEach(members, 3) && members.Count(m => m.Owned.Length == 1) == 3, "3 members own one partition each");
            var leaving = members.First(m => m.Owned.Length == 1);
            int moved = leaving.Owned[0];
            var staying = members.Where(m => m != leaving && m.Owned.Length == 1).ToDictionary(m => m, m => m.Owned[0]);
            long before = GroupMember.Now;

            leaving.Stop();
            var rest = members.Where(m => m != leaving).ToList();
            await WaitUntilAsync(() => OwnedOnceEach(rest, 3) && rest.All(m => m.Owned.Length == 1), "the stopped member's partition moved");
            Assert.Contains(rest, m => m.Owned.SequenceEqual([moved]));

            if (strategy == PartitionAssignmentStrategy.CooperativeSticky)
            {
                // Cooperative: the members that kept their partition never had it revoked.
                foreach (var (m, p) in staying)
                {
                    Assert.Equal([p], m.Owned);
                    Assert.DoesNotContain(m.Events, e => e.Seq > before && e.Kind == "revoked" && e.Partitions.Contains(p));
                }
            }
        }
        finally
        {
            foreach (var m in members) m.Dispose();
        }
    }

    [Fact]
    public async Task TwoGroupsOnOneTopicEachReceiveEveryRecord()
    {
        await using var broker = await StartBrokerAsync(partitions: 2);
        await CreateTopicAsync(broker, "t", 2);
        await ProduceAsync(broker, "t", 40, partitions: 2);
        using var a = new GroupMember(broker.BootstrapServers, "group-a", "t", "a");
        using var b = new GroupMember(broker.BootstrapServers, "group-b", "t", "b");
        await WaitUntilAsync(() => a.Consumed.Count >= 40 && b.Consumed.Count >= 40, "both groups consumed all 40 records");
        Assert.Equal(40, a.Consumed.Select(r => r.Message.Value).Distinct().Count());
        Assert.Equal(40, b.Consumed.Select(r => r.Message.Value).Distinct().Count());
    }

    [Fact]
    public async Task CommittedOffsetSurvivesABrokerRestartAndTheConsumerResumesThere()
    {
        await using var broker = await StartBrokerAsync(partitions: 1);
        await CreateTopicAsync(broker, "t", 1);
        await ProduceAsync(broker, "t", 10);
        var config = new ConsumerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            GroupId = "resume",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        using (var consumer = new ConsumerBuilder<string, string>(config).Build())
        {
            consumer.Subscribe("t");
            for (int i = 0; i < 5;)
            {
                var r = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("no record");
                Assert.Equal(i, r.Offset.Value);
                if (++i == 5) consumer.Commit(r);
            }
            consumer.Close();
        }

        await Wire.GroupWireTests.RestartAsync(broker);

        using var resumed = new ConsumerBuilder<string, string>(config).Build();
        resumed.Subscribe("t");
        var first = resumed.Consume(TimeSpan.FromSeconds(60)) ?? throw new TimeoutException("no record after the restart");
        Assert.Equal(5, first.Offset.Value);
        Assert.Equal("v5", first.Message.Value);
        resumed.Close();
    }

    [Fact]
    public async Task AutoOffsetResetAppliesOnlyWithoutACommittedOffset()
    {
        await using var broker = await StartBrokerAsync(partitions: 1);
        await CreateTopicAsync(broker, "t", 1);
        await ProduceAsync(broker, "t", 3, prefix: "old");

        using var earliest = new GroupMember(broker.BootstrapServers, "earliest", "t", "earliest", c => c.AutoOffsetReset = AutoOffsetReset.Earliest);
        using var latest = new GroupMember(broker.BootstrapServers, "latest", "t", "latest", c => c.AutoOffsetReset = AutoOffsetReset.Latest);
        using var none = new GroupMember(broker.BootstrapServers, "none", "t", "none", c => c.AutoOffsetReset = AutoOffsetReset.Error);
        await WaitUntilAsync(() => earliest.Consumed.Count == 3, "earliest read the old records");
        await WaitUntilAsync(() => latest.Owned.Length == 1 && none.Owned.Length == 1, "latest and none are assigned");
        // none: no committed offset is an error for the application.
        await WaitUntilAsync(() => !none.ConsumeErrors.IsEmpty, "auto.offset.reset=none reports the missing offset");
        Assert.Contains(none.ConsumeErrors, e => e.Error.Code == ErrorCode.Local_AutoOffsetReset);

        // latest starts at the end: it sees only what is produced now (retry until its position is set).
        await WaitUntilAsync(() =>
        {
            ProduceAsync(broker, "t", 1, prefix: "new").GetAwaiter().GetResult();
            return latest.Consumed.Any(r => r.Message.Value.StartsWith("new", StringComparison.Ordinal));
        }, "latest consumed a new record");
        Assert.DoesNotContain(latest.Consumed, r => r.Message.Value.StartsWith("old", StringComparison.Ordinal));
        Assert.Empty(none.Consumed);
    }

    [Fact]
    public async Task StaticMemberRestartedWithinTheSessionTimeoutKeepsItsPartitionsWithoutRebalance()
    {
        await using var broker = await StartBrokerAsync(partitions: 2);
        await CreateTopicAsync(broker, "t", 2);
        void Static(ConsumerConfig c, string id)
        {
            c.GroupInstanceId = id;
            c.SessionTimeoutMs = 30_000;
        }
        using var a = new GroupMember(broker.BootstrapServers, "static", "t", "a", c => Static(c, "instance-a"));
        var b = new GroupMember(broker.BootstrapServers, "static", "t", "b", c => Static(c, "instance-b"));
        try
        {
            await WaitUntilAsync(() => OwnedOnceEach([a, b], 2) && a.Owned.Length == 1 && b.Owned.Length == 1, "each member owns one partition");
            int bPartition = b.Owned[0];
            long before = GroupMember.Now;

            b.Dispose(); // a static member leaves no LeaveGroup behind
            b = new GroupMember(broker.BootstrapServers, "static", "t", "b2", c => Static(c, "instance-b"));
            await WaitUntilAsync(() => b.Owned.Length == 1, "the restarted member is assigned");
            Assert.Equal([bPartition], b.Owned);
            // The other member saw nothing happen.
            Assert.DoesNotContain(a.Events, e => e.Seq > before);
        }
        finally
        {
            b.Dispose();
        }
    }
}
