using Samsa.Protocol;

namespace Samsa.Storage.Tests;

public sealed class RetentionTests
{
    private static readonly LogConfig Small = LogConfig.Default with { SegmentBytes = 1500, IndexIntervalBytes = 100 };

    private static void Fill(Storage s, PartitionLog log, int batches, long timestamp)
    {
        for (int i = 0; i < batches; i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(1, timestamp, valueSize: 100), 0).Succeeded);
        }
        log.HighWatermark = log.LogEndOffset;
    }

    [Fact]
    public void Retention_by_time_deletes_old_closed_segments_with_a_fake_clock()
    {
        using var s = new Storage(config: Small with { RetentionMs = 60_000, FileDeleteDelayMs = 30_000, MessageTimestampBeforeMaxMs = long.MaxValue });
        PartitionLog log = s.Log();
        Fill(s, log, 30, s.NowMs);              // old data, several segments
        s.Time.Advance(TimeSpan.FromMinutes(2));
        Fill(s, log, 30, s.NowMs);              // new data
        int before = log.SegmentCount;
        long[] bases = log.SegmentBaseOffsets;

        int deleted = s.Manager.RunRetention();
        Assert.True(deleted > 0);
        Assert.Equal(before - deleted, log.SegmentCount);
        Assert.Equal(log.SegmentBaseOffsets[0], log.LogStartOffset);
        Assert.True(log.LogStartOffset > 0 && log.LogStartOffset <= 30);
        // Files are renamed to .deleted first and removed after file.delete.delay.ms.
        string dir = Path.Combine(s.LogDir, "t-0");
        Assert.True(File.Exists(Path.Combine(dir, LogFileNames.OffsetName(bases[0]) + ".log.deleted")));
        s.Time.Advance(TimeSpan.FromSeconds(31));
        Wait.Until(() => Directory.GetFiles(dir, "*.deleted").Length == 0, "the .deleted files to be removed");

        // Everything old: all closed segments go, never the active one.
        s.Time.Advance(TimeSpan.FromMinutes(10));
        s.Manager.RunRetention();
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(log.SegmentBaseOffsets[0], log.LogStartOffset);
        Assert.Equal(60, log.LogEndOffset);
        Assert.All(LogReading.ReadAll(log), r => Assert.True(r.Offset >= log.LogStartOffset));
    }

    [Fact]
    public void The_scheduler_applies_retention_and_writes_checkpoints_as_the_clock_moves()
    {
        using var s = new Storage(config: Small with { RetentionMs = 60_000, FileDeleteDelayMs = 0, MessageTimestampBeforeMaxMs = long.MaxValue }, startScheduler: true);
        PartitionLog log = s.Log();
        Fill(s, log, 30, s.NowMs);
        int segments = log.SegmentCount;
        Assert.True(segments > 2);
        s.Time.Advance(TimeSpan.FromMinutes(5)); // past retention.ms and several check intervals
        Wait.Until(() => log.SegmentCount == 1, "retention to delete the closed segments");
        Wait.Until(() => File.Exists(Path.Combine(s.LogDir, "log-start-offset-checkpoint"))
            && File.ReadAllText(Path.Combine(s.LogDir, "log-start-offset-checkpoint")).Contains($"t 0 {log.LogStartOffset}", StringComparison.Ordinal),
            "the log start offset checkpoint");
    }

    [Fact]
    public void Idle_producers_expire_after_producer_id_expiration_ms()
    {
        using var s = new Storage(config: Small with { MessageTimestampBeforeMaxMs = long.MaxValue });
        PartitionLog log = s.Log();
        log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: 9, producerEpoch: 0, baseSequence: 0), 0);
        s.Time.Advance(TimeSpan.FromHours(25));
        s.Manager.RunRetention();
        // Forgotten: any sequence is accepted again for this producer, as for a new one.
        Assert.True(log.AppendAsLeader(Batches.Make(1, s.NowMs, producerId: 9, producerEpoch: 0, baseSequence: 42), 0).Succeeded);
    }

    [Fact]
    public void Retention_by_size_keeps_the_log_under_retention_bytes()
    {
        using var s = new Storage(config: Small with { RetentionBytes = 3000, FileDeleteDelayMs = 0 });
        PartitionLog log = s.Log();
        Fill(s, log, 100, s.NowMs);
        Assert.True(log.Size > 3000);
        s.Manager.RunRetention();
        long activeSize = Math.Min(log.Size, 1500);
        Assert.True(log.Size <= 3000 + activeSize, $"size {log.Size}");
        Assert.True(log.Size > 3000 - 1500, $"deleted too much: {log.Size}");
        Assert.True(log.LogStartOffset > 0);
        Assert.Equal(100, log.LogEndOffset);
    }

    [Fact]
    public void Retention_never_deletes_above_the_high_watermark()
    {
        using var s = new Storage(config: Small with { RetentionBytes = 0, FileDeleteDelayMs = 0 });
        PartitionLog log = s.Log();
        for (int i = 0; i < 50; i++)
        {
            log.AppendAsLeader(Batches.Make(1, s.NowMs, valueSize: 100), 0);
        }
        log.HighWatermark = 0;
        Assert.Equal(0, s.Manager.RunRetention());
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public void DeleteRecords_advances_the_log_start_offset_and_survives_a_restart()
    {
        using var dir = new TempDir();
        var s = new Storage(dir, Small with { FileDeleteDelayMs = 0 });
        PartitionLog log = s.Log();
        Fill(s, log, 50, s.NowMs);
        Assert.Equal((ErrorCode.OffsetOutOfRange, 0L), log.DeleteRecordsBefore(51));
        Assert.Equal((ErrorCode.None, 33L), log.DeleteRecordsBefore(33));
        Assert.Equal(33, log.LogStartOffset);
        Assert.True(log.SegmentBaseOffsets[0] <= 33 && log.SegmentBaseOffsets[0] > 0);
        using (LogReadResult r = log.Read(32, 1000, 50, true))
        {
            Assert.Equal(ErrorCode.OffsetOutOfRange, r.Error);
        }
        Assert.Equal(33, LogReading.ReadAll(log)[0].Offset);
        Assert.Equal(33, log.FetchOffsetByTimestamp(PartitionLog.EarliestTimestamp).Offset);
        // -1 means the high watermark.
        Assert.Equal((ErrorCode.None, 50L), log.DeleteRecordsBefore(-1));
        Assert.Equal((ErrorCode.None, 50L), log.DeleteRecordsBefore(40)); // never moves back
        s.Manager.Close();

        var s2 = new Storage(dir, Small);
        Assert.Equal(50, s2.Log().LogStartOffset);
        Assert.Equal(50, s2.Log().HighWatermark);
        s2.Dispose();
    }

    [Fact]
    public void TruncateTo_removes_the_tail_across_segments()
    {
        using var s = new Storage(config: Small with { FileDeleteDelayMs = 0 });
        PartitionLog log = s.Log();
        for (int i = 0; i < 40; i++)
        {
            log.AppendAsLeader(Batches.Make(2, s.NowMs, valueSize: 60), leaderEpoch: i < 20 ? 1 : 2);
        }
        log.HighWatermark = 80;
        int segments = log.SegmentCount;
        log.TruncateTo(31); // inside the batch 30..31: the whole batch goes
        Assert.Equal(30, log.LogEndOffset);
        Assert.Equal(30, log.HighWatermark);
        Assert.True(log.SegmentCount < segments);
        Assert.Equal([new(1, 0)], log.LeaderEpochs);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), LogReading.ReadAll(log).Select(r => r.Offset));
        AppendReadTests.AssertEveryOffsetFound(log);

        Assert.Equal(30, log.AppendAsLeader(Batches.Make(2, s.NowMs), 3).BaseOffset);
        Assert.Equal(32, log.LogEndOffset);
        s.Reopen();
        Assert.Equal(32, s.Log().LogEndOffset);
        Assert.Equal([new(1, 0), new(3, 30)], s.Log().LeaderEpochs);

        s.Log().TruncateTo(0);
        Assert.Equal(0, s.Log().LogEndOffset);
        Assert.Empty(LogReading.ReadAll(s.Log()));
    }
}
