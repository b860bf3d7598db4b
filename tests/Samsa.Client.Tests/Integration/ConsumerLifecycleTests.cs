using System.Diagnostics;
using System.Globalization;

namespace Samsa.Client.Tests.Integration;

/// <summary>
/// Wakeup ends a blocking poll from another thread; Close commits and hands partitions over at once;
/// fetches lost with their connection are sent again.
/// </summary>
public abstract class ConsumerLifecycleTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    [Fact]
    public async Task Wakeup_from_another_thread_ends_a_blocking_poll()
    {
        var topic = await fixture.CreateTopicAsync("wakeup", 1);
        using var consumer = new Consumer<string, string>(new ConsumerConfig
        {
            BootstrapServers = fixture.BootstrapServers,
            GroupId = $"wakeup-{Guid.NewGuid():N}",
        });
        consumer.Subscribe(topic);
        var polling = new ManualResetEventSlim();
        var loop = Task.Run(() =>
        {
            // The seed's shutdown pattern: poll until woken, then close.
            try
            {
                while (true)
                {
                    polling.Set();
                    consumer.Poll(TimeSpan.FromMinutes(5));
                }
            }
            catch (WakeupException)
            {
                return "woken";
            }
        });
        Assert.True(polling.Wait(TimeSpan.FromSeconds(30)));
        var watch = Stopwatch.StartNew();
        consumer.Wakeup();
        var outcome = await loop.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("woken", outcome);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"poll ended {watch.Elapsed} after Wakeup");
    }

    [Fact]
    public async Task Fetches_lost_with_their_connection_are_sent_again_and_every_record_arrives_once_in_order()
    {
        const int total = 3000;
        var topic = await fixture.CreateTopicAsync("refetch", 1);
        // Small batches, so the consumer needs many fetches and some of them are cut.
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = fixture.BootstrapServers, LingerMs = 0, BatchSize = 512 }))
        {
            for (var i = 0; i < total; i++) producer.Produce(topic, new Message<string, string> { Value = i.ToString(CultureInfo.InvariantCulture) });
            await producer.FlushAsync();
        }

        using var consumer = new Consumer<string, string>(new ConsumerConfig
        {
            BootstrapServers = fixture.BootstrapServers,
            MaxPartitionFetchBytes = 1024,
            ReconnectBackoffMs = 10,
        });
        consumer.Assign([new TopicPartitionOffset(topic, 0, 0)]);
        var next = 0;
        var cuts = 0;
        var until = DateTime.UtcNow.AddSeconds(120);
        while (next < total && DateTime.UtcNow < until)
        {
            foreach (var r in consumer.Poll(TimeSpan.FromMilliseconds(200)))
            {
                Assert.Equal(next, r.Offset);
                Assert.Equal(next.ToString(CultureInfo.InvariantCulture), r.Value);
                next++;
            }
            // A poll that returns records has sent the next fetch already: cut it off with the connection.
            if (next >= (cuts + 1) * 500 && next < total)
            {
                fixture.Proxy.DropAll();
                cuts++;
            }
        }
        Assert.Equal(total, next);
        Assert.True(cuts >= 5, $"only {cuts} cuts");
    }

    [Fact]
    public async Task Close_commits_and_leaves_so_the_other_member_takes_over_without_the_session_timeout()
    {
        const int partitions = 4;
        var topic = await fixture.CreateTopicAsync("close-handover", partitions);
        var group = $"handover-{Guid.NewGuid():N}";
        await using (var producer = new Producer<string, string>(new ProducerConfig { BootstrapServers = fixture.BootstrapServers }))
        {
            for (var i = 0; i < 40; i++)
                await producer.ProduceAsync(new TopicPartition(topic, i % partitions), new Message<string, string> { Value = $"v{i}" });
        }
        ConsumerConfig Config() => new()
        {
            BootstrapServers = fixture.BootstrapServers,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 45000,
            HeartbeatIntervalMs = 300,
            PartitionAssignmentStrategy = ["range"],
        };

        var first = new Consumer<string, string>(Config());
        first.Subscribe(topic);
        var firstRead = 0;
        var until = DateTime.UtcNow.AddSeconds(60);
        while (firstRead < 40 && DateTime.UtcNow < until) firstRead += first.Poll(TimeSpan.FromMilliseconds(200)).Count;
        Assert.Equal(40, firstRead);

        // The second member polls on its own thread: a join waits for every member to rejoin.
        using var second = new Consumer<string, string>(Config());
        second.Subscribe(topic);
        using var stop = new CancellationTokenSource();
        var secondRead = 0;
        IReadOnlyCollection<TopicPartition> secondAssignment = [];
        var secondLoop = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Add(ref secondRead, second.Poll(TimeSpan.FromMilliseconds(100)).Count);
                Volatile.Write(ref secondAssignment, second.Assignment);
            }
        });
        until = DateTime.UtcNow.AddSeconds(60);
        while ((first.Assignment.Count == partitions || Volatile.Read(ref secondAssignment).Count == 0) && DateTime.UtcNow < until)
            first.Poll(TimeSpan.FromMilliseconds(100));
        Assert.True(Volatile.Read(ref secondAssignment).Count > 0, "the second member never got partitions");

        var watch = Stopwatch.StartNew();
        first.Close();
        until = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref secondAssignment).Count < partitions && DateTime.UtcNow < until) await Task.Delay(50);
        var handover = watch.Elapsed;
        Assert.Equal(partitions, Volatile.Read(ref secondAssignment).Count);
        Assert.True(handover < TimeSpan.FromSeconds(20), $"handover took {handover}, session timeout is 45 s");

        // The first member committed its positions: the second starts after them and reads nothing.
        await stop.CancelAsync();
        await secondLoop;
        Assert.All(second.Assignment, tp => Assert.Equal(10, second.Position(tp)));
        Assert.Equal(0, secondRead + second.Poll(TimeSpan.FromMilliseconds(500)).Count);
        var committed = second.Committed(second.Assignment);
        Assert.Equal(partitions, committed.Count);
        Assert.All(committed.Values, c => Assert.Equal(10, c.Offset));
    }
}

/// <summary>Against the in-process fake broker (runs without the Samsa process).</summary>
public sealed class FakeBrokerConsumerLifecycleTests(FakeBrokerFixture fixture) : ConsumerLifecycleTests<FakeBrokerFixture>(fixture);
