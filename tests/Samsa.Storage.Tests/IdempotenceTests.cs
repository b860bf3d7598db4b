using Samsa.Protocol;

namespace Samsa.Storage.Tests;

public sealed class IdempotenceTests
{
    private const long Pid = 1000;

    [Fact]
    public void A_retried_batch_gets_its_original_offsets_and_is_not_stored_twice()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        Assert.True(log.AppendAsLeader(Batches.Make(3, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 0), 0).Succeeded);
        LogAppendResult second = log.AppendAsLeader(Batches.Make(2, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 3), 0);
        Assert.Equal((3L, 4L), (second.BaseOffset, second.LastOffset));

        // Both earlier batches retried (e.g. lost responses): same offsets, nothing appended.
        LogAppendResult retry1 = log.AppendAsLeader(Batches.Make(3, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 0), 0);
        LogAppendResult retry2 = log.AppendAsLeader(Batches.Make(2, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 3), 0);
        Assert.True(retry1.Succeeded && retry1.Duplicate);
        Assert.Equal((0L, 2L), (retry1.BaseOffset, retry1.LastOffset));
        Assert.Equal((3L, 4L), (retry2.BaseOffset, retry2.LastOffset));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(5, LogReading.ReadAll(log).Count);
    }

    [Fact]
    public void A_sequence_gap_is_out_of_order()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        log.AppendAsLeader(Batches.Make(2, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 0), 0);
        LogAppendResult r = log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 5), 0);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, r.Error);
        Assert.Equal(2, log.LogEndOffset);
        // A new epoch must start at sequence 0.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber,
            log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 1, baseSequence: 4), 0).Error);
        Assert.True(log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 1, baseSequence: 0), 0).Succeeded);
    }

    [Fact]
    public void An_old_epoch_is_fenced()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 3, baseSequence: 0), 0);
        LogAppendResult r = log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 2, baseSequence: 1), 0);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, r.Error);
        Assert.Equal(1, log.LogEndOffset);
    }

    [Fact]
    public void Only_the_last_five_batches_are_recognised_as_duplicates()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        for (int i = 0; i < 7; i++)
        {
            log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: i), 0);
        }
        Assert.True(log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 2), 0).Duplicate);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber,
            log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 1), 0).Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Producer_state_survives_a_restart(bool clean)
    {
        using var dir = new TempDir();
        var cfg = LogConfig.Default with { SegmentBytes = 2000 };
        var s = new Storage(dir, cfg);
        PartitionLog log = s.Log();
        for (int i = 0; i < 30; i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(1, s.NowMs, valueSize: 100, producerId: Pid, producerEpoch: 0, baseSequence: i), 0).Succeeded);
        }
        Assert.True(log.SegmentCount > 1);
        if (clean)
        {
            s.Manager.Close();
        }
        else
        {
            s.MakeUnclean(); // the manager is abandoned, as in a crash
        }
        var s2 = new Storage(dir, cfg);
        PartitionLog again = s2.Log();
        Assert.Equal(30, again.LogEndOffset);
        LogAppendResult dup = again.AppendAsLeader(Batches.Make(1, s2.NowMs, valueSize: 100, producerId: Pid, producerEpoch: 0, baseSequence: 29), 0);
        Assert.True(dup.Duplicate);
        Assert.Equal(29, dup.BaseOffset);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber,
            again.AppendAsLeader(Batches.Make(1, s2.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 31), 0).Error);
        Assert.True(again.AppendAsLeader(Batches.Make(1, s2.NowMs, producerId: Pid, producerEpoch: 0, baseSequence: 30), 0).Succeeded);
        Assert.True(Directory.GetFiles(Path.Combine(s2.LogDir, "t-0"), "*.snapshot").Length > 0);
        s2.Dispose();
    }
}
