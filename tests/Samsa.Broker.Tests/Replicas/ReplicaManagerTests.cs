using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Replicas;
using Samsa.Protocol;
using Samsa.Storage;

namespace Samsa.Broker.Tests.Replicas;

public class ReplicaManagerTests
{
    private static readonly FetchParams Consumer = new(-1, 500, 1, int.MaxValue, 0);

    [Fact]
    public void Append_with_an_isr_of_one_moves_the_high_watermark_to_the_log_end()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t");
        PartitionAppendResult first = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(3), requiredAcks: -1);
        PartitionAppendResult second = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(2, 3), requiredAcks: 1);

        Assert.Equal(ErrorCode.None, first.Error);
        Assert.Equal(0, first.BaseOffset);
        Assert.Equal(3, second.BaseOffset);
        Assert.Equal(5, p.Log.HighWatermark);
        Assert.Equal(-1, second.LogAppendTime);
    }

    [Fact]
    public async Task Leadership_updates_racing_appends_never_move_the_high_watermark_back()
    {
        // Metadata images re-apply leadership while producers append; each sets the high
        // watermark to the log end, and a stale log end must never win over a newer append.
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t");
        const int appends = 2000;
        int done = 0;
        int regressions = 0;
        Task leadership = Task.Run(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                f.Lead("t");
            }
        });
        Task watcher = Task.Run(() =>
        {
            long seen = 0;
            while (Volatile.Read(ref done) == 0)
            {
                long hw = p.Log.HighWatermark;
                if (hw < seen)
                {
                    Interlocked.Increment(ref regressions);
                }
                seen = Math.Max(seen, hw);
            }
        });
        for (int i = 0; i < appends; i++)
        {
            Assert.Equal(ErrorCode.None, f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1, i), requiredAcks: -1).Error);
        }
        Volatile.Write(ref done, 1);
        await Task.WhenAll(leadership, watcher);

        Assert.Equal(0, regressions);
        Assert.Equal(appends, p.Log.HighWatermark);
    }

    [Fact]
    public void Acks_all_below_min_insync_replicas_is_refused_and_nothing_is_appended()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t", config: LogConfig.Default with { MinInSyncReplicas = 2 });

        PartitionAppendResult all = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1), requiredAcks: -1);
        PartitionAppendResult one = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1), requiredAcks: 1);

        Assert.Equal(ErrorCode.NotEnoughReplicas, all.Error);
        Assert.Equal(ErrorCode.None, one.Error);
        Assert.Equal(0, one.BaseOffset);
    }

    [Fact]
    public void Batch_above_max_message_bytes_is_message_too_large()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t", config: LogConfig.Default with { MaxMessageBytes = 200 });

        PartitionAppendResult r = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(50), requiredAcks: 1);

        Assert.Equal(ErrorCode.MessageTooLarge, r.Error);
        Assert.Equal(0, p.Log.LogEndOffset);
    }

    [Fact]
    public void Idempotent_retry_gets_the_original_offset_and_a_gap_is_out_of_order()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t");
        byte[] batch = ReplicaManagerFixture.Batch(2, producerId: 7, epoch: 0, sequence: 0);

        PartitionAppendResult first = f.ReplicaManager.AppendToLeader(p, (byte[])batch.Clone(), 1);
        PartitionAppendResult retry = f.ReplicaManager.AppendToLeader(p, (byte[])batch.Clone(), 1);
        PartitionAppendResult gap = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1, producerId: 7, epoch: 0, sequence: 5), 1);
        PartitionAppendResult bumped = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1, producerId: 7, epoch: 1, sequence: 0), 1);
        PartitionAppendResult fenced = f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1, producerId: 7, epoch: 0, sequence: 2), 1);

        Assert.Equal(0, first.BaseOffset);
        Assert.Equal(0, retry.BaseOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Equal(2, bumped.BaseOffset);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, fenced.Error);
        Assert.Equal(3, p.Log.LogEndOffset);
    }

    [Fact]
    public void Unknown_topic_and_partition_outside_the_topic_are_unknown_topic_or_partition()
    {
        using var f = new ReplicaManagerFixture();
        f.Lead("t");

        Assert.Equal(ErrorCode.None, f.ReplicaManager.GetLeaderPartition("t", 0, out _));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, f.ReplicaManager.GetLeaderPartition("t", 1, out _));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, f.ReplicaManager.GetLeaderPartition("other", 0, out _));
    }

    [Fact]
    public void Partition_led_elsewhere_is_not_leader_or_follower()
    {
        using var f = new ReplicaManagerFixture();
        Guid id = Guid.NewGuid();
        f.ReplicaManager.UpdateTopic("t", id, 2);
        f.ReplicaManager.ApplyPartition("t", id, 0, new PartitionLeadership(2, 3, [1, 2], [1, 2]), LogConfig.Default);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, f.ReplicaManager.GetLeaderPartition("t", 0, out _));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, f.ReplicaManager.GetLeaderPartition("t", 1, out _));
    }

    [Fact]
    public void Fetch_offset_inside_a_batch_returns_that_whole_batch()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t");
        byte[] first = ReplicaManagerFixture.Batch(10);
        f.ReplicaManager.AppendToLeader(p, first, 1);
        f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(10, 10), 1);
        var state = new FetchPartitionState(p.TopicPartition, p, ErrorCode.None, fetchOffset: 5, partitionMaxBytes: 1, currentLeaderEpoch: -1);

        f.ReplicaManager.ReadFromLocalLog(Consumer, [state]);

        Assert.Equal(ErrorCode.None, state.Error);
        Assert.Equal(first.Length, state.ReadBytes); // one whole batch even above partition_max_bytes (KIP-74)
        byte[] bytes = new byte[state.ReadBytes];
        state.Read!.Region!.Value.Read(0, bytes);
        Assert.Equal(first, bytes); // offsets were assigned in place: base offset 0
        Assert.Equal(20, state.HighWatermark);
        state.ReleaseRead();
    }

    [Fact]
    public void Only_the_first_partition_with_data_may_exceed_the_response_limit()
    {
        using var f = new ReplicaManagerFixture();
        Partition a = f.Lead("a");
        Partition b = f.Lead("b");
        f.ReplicaManager.AppendToLeader(a, ReplicaManagerFixture.Batch(10), 1);
        f.ReplicaManager.AppendToLeader(b, ReplicaManagerFixture.Batch(10), 1);
        var sa = new FetchPartitionState(a.TopicPartition, a, ErrorCode.None, 0, 1 << 20, -1);
        var sb = new FetchPartitionState(b.TopicPartition, b, ErrorCode.None, 0, 1 << 20, -1);

        f.ReplicaManager.ReadFromLocalLog(Consumer with { MaxBytes = 10 }, [sa, sb]);

        Assert.True(sa.ReadBytes > 10);
        Assert.Equal(0, sb.ReadBytes);
        Assert.Equal(ErrorCode.None, sb.Error);
        sa.ReleaseRead();
        sb.ReleaseRead();
    }

    [Fact]
    public void Fetch_beyond_the_log_end_is_offset_out_of_range()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t");
        f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(2), 1);
        var state = new FetchPartitionState(p.TopicPartition, p, ErrorCode.None, 9, 1000, -1);

        f.ReplicaManager.ReadFromLocalLog(Consumer, [state]);

        Assert.Equal(ErrorCode.OffsetOutOfRange, state.Error);
        Assert.Equal(2, state.HighWatermark);
    }

    [Fact]
    public void Stale_leader_epoch_is_fenced_and_a_newer_one_unknown()
    {
        using var f = new ReplicaManagerFixture();
        Guid id = Guid.NewGuid();
        f.ReplicaManager.UpdateTopic("t", id, 1);
        Partition p = f.ReplicaManager.ApplyPartition("t", id, 0, new PartitionLeadership(1, 5, [1], [1]), LogConfig.Default);

        Assert.Equal(ErrorCode.FencedLeaderEpoch, ReplicaManager.CheckLeaderEpoch(p, 4));
        Assert.Equal(ErrorCode.UnknownLeaderEpoch, ReplicaManager.CheckLeaderEpoch(p, 6));
        Assert.Equal(ErrorCode.None, ReplicaManager.CheckLeaderEpoch(p, 5));
        Assert.Equal(ErrorCode.None, ReplicaManager.CheckLeaderEpoch(p, -1));
    }

    [Fact]
    public void List_offsets_latest_earliest_and_by_timestamp()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t");
        f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(4), 1);

        Assert.Equal(4, f.ReplicaManager.FetchOffsetForTimestamp(p, -1, 0, false).Offset);
        Assert.Equal(0, f.ReplicaManager.FetchOffsetForTimestamp(p, -2, 0, false).Offset);
        Assert.Equal(0, f.ReplicaManager.FetchOffsetForTimestamp(p, 0, 0, false).Offset);
        Assert.Equal(-1, f.ReplicaManager.FetchOffsetForTimestamp(p, long.MaxValue / 2, 0, false).Offset);
    }

    [Fact]
    public void Delete_records_moves_the_log_start_and_refuses_beyond_the_high_watermark()
    {
        using var f = new ReplicaManagerFixture();
        Partition p = f.Lead("t");
        f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(4), 1);

        Assert.Equal((ErrorCode.None, 3L), f.ReplicaManager.DeleteRecords(p, 3));
        Assert.Equal(ErrorCode.OffsetOutOfRange, f.ReplicaManager.DeleteRecords(p, 9).Error);
        Assert.Equal(3, f.ReplicaManager.FetchOffsetForTimestamp(p, -2, 0, false).Offset);
    }

    [Fact]
    public async Task Waiting_fetch_completes_when_an_append_arrives()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var f = new ReplicaManagerFixture(time);
        Partition p = f.Lead("t");
        var state = new FetchPartitionState(p.TopicPartition, p, ErrorCode.None, 0, 1 << 20, -1);
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetch = Consumer with { MaxWaitMs = 60_000 };
        f.ReplicaManager.ReadFromLocalLog(fetch, [state]);
        var op = new DelayedFetch(f.ReplicaManager, fetch, [state], () =>
        {
            f.ReplicaManager.ReadFromLocalLog(fetch, [state]);
            done.SetResult(state.ReadBytes);
            state.ReleaseRead();
        });

        Assert.False(f.ReplicaManager.FetchPurgatory.TryCompleteElseWatch(op, [p.TopicPartition], TimeSpan.FromMilliseconds(fetch.MaxWaitMs), default));
        Assert.False(done.Task.IsCompleted);
        byte[] batch = ReplicaManagerFixture.Batch(3);
        f.ReplicaManager.AppendToLeader(p, batch, 1);

        Assert.Equal(batch.Length, await done.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, f.ReplicaManager.FetchPurgatory.WatchedCount);
    }

    [Fact]
    public async Task Waiting_fetch_answers_empty_at_its_deadline()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var f = new ReplicaManagerFixture(time);
        Partition p = f.Lead("t");
        var state = new FetchPartitionState(p.TopicPartition, p, ErrorCode.None, 0, 1 << 20, -1);
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var op = new DelayedFetch(f.ReplicaManager, Consumer, [state], () => done.SetResult(0));

        f.ReplicaManager.FetchPurgatory.TryCompleteElseWatch(op, [p.TopicPartition], TimeSpan.FromMilliseconds(500), default);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(done.Task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, f.ReplicaManager.FetchPurgatory.WatchedCount);
    }

    [Fact]
    public async Task Waiting_fetch_with_min_bytes_waits_for_enough_bytes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var f = new ReplicaManagerFixture(time);
        Partition p = f.Lead("t");
        int one = ReplicaManagerFixture.Batch(1).Length;
        var fetch = Consumer with { MinBytes = one * 3, MaxWaitMs = 60_000 };
        var state = new FetchPartitionState(p.TopicPartition, p, ErrorCode.None, 0, 1 << 20, -1);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var op = new DelayedFetch(f.ReplicaManager, fetch, [state], () => done.SetResult());
        f.ReplicaManager.FetchPurgatory.TryCompleteElseWatch(op, [p.TopicPartition], TimeSpan.FromMinutes(1), default);

        f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1), 1);
        f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1), 1);
        Assert.False(op.IsCompleted);
        f.ReplicaManager.AppendToLeader(p, ReplicaManagerFixture.Batch(1), 1);

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Deleting_the_topic_wakes_its_waiting_fetches()
    {
        using var f = new ReplicaManagerFixture(new FakeTimeProvider(DateTimeOffset.UtcNow));
        Partition p = f.Lead("t");
        var state = new FetchPartitionState(p.TopicPartition, p, ErrorCode.None, 0, 1 << 20, -1);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var op = new DelayedFetch(f.ReplicaManager, Consumer, [state], () => done.SetResult());
        f.ReplicaManager.FetchPurgatory.TryCompleteElseWatch(op, [p.TopicPartition], TimeSpan.FromMinutes(1), default);

        f.ReplicaManager.RemoveTopic("t", p.TopicId);

        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, f.ReplicaManager.GetLeaderPartition("t", 0, out _));
    }
}
