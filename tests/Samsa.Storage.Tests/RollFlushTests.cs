using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Storage.Tests;

/// <summary>
/// A roll fsyncs the old segment in the background (the log manager's flush thread), not on the
/// appending thread under the partition lock. The flush is held at its start by a seam, so "the
/// flush has not happened yet" is a fact the test controls, not a race it hopes to win.
/// </summary>
public sealed class RollFlushTests
{
    private static readonly LogConfig Small = LogConfig.Default with { SegmentBytes = 1000, IndexIntervalBytes = 100, FileDeleteDelayMs = 0 };

    /// <summary>Holds every background flush round at its start until released.</summary>
    private sealed class FlushGate : IDisposable
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly LogManager _manager;
        private int _entered;

        public FlushGate(LogManager manager)
        {
            _manager = manager;
            manager.Flusher.BeforeFlush = (_, target) =>
            {
                Interlocked.Increment(ref _entered);
                LastTarget = target;
                _release.Task.Wait(TimeSpan.FromSeconds(30));
            };
        }

        public long LastTarget { get; private set; } = -1;

        public void WaitEntered() => Wait.Until(() => Volatile.Read(ref _entered) > 0, "the background flush to start");

        public void Release() => _release.TrySetResult();

        /// <summary>Releases and waits until the flush thread has nothing queued or running.</summary>
        public void ReleaseAndDrain()
        {
            Release();
            Wait.Until(() => _manager.Flusher.Pending == 0, "the background flush to finish");
        }

        public void Dispose() => Release();
    }

    private static void Append(Storage s, PartitionLog log, int batches)
    {
        for (int i = 0; i < batches; i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(1, s.NowMs, valueSize: 150), 0).Succeeded);
        }
    }

    private static string PartitionDir(Storage s) => Path.Combine(s.LogDir, "t-0");

    private static long FileLength(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    [Fact]
    public void Rolls_and_appends_continue_while_the_flush_of_a_rolled_segment_is_blocked()
    {
        using var s = new Storage(config: Small);
        using var gate = new FlushGate(s.Manager);
        PartitionLog log = s.Log();
        Append(s, log, 8); // past 1000 bytes: one roll
        Assert.Equal(2, log.SegmentCount);
        gate.WaitEntered(); // the flush thread now sits in the flush of segment 0

        // More rolls and appends on this thread while that flush cannot make progress.
        Append(s, log, 40);
        Assert.True(log.SegmentCount >= 6, $"{log.SegmentCount} segments");
        Assert.Equal(48, log.LogEndOffset);
        Assert.Equal(48, LogReading.ReadAll(log).Count);
        Assert.Equal(0, log.RecoveryPoint);

        gate.ReleaseAndDrain();
        // The rolls made meanwhile are flushed by the next round: everything below the active segment.
        Assert.Equal(log.SegmentBaseOffsets[^1], log.RecoveryPoint);
        Assert.Empty(s.Logs.Warnings);
    }

    [Fact]
    public void The_recovery_point_moves_only_after_the_rolled_segment_was_flushed()
    {
        using var s = new Storage(config: Small);
        using var gate = new FlushGate(s.Manager);
        PartitionLog log = s.Log();
        Append(s, log, 8);
        long rolledAt = log.SegmentBaseOffsets[1];
        gate.WaitEntered();
        Assert.Equal(rolledAt, gate.LastTarget);

        // Not flushed yet: neither the recovery point nor its checkpoint claim otherwise, and the
        // rolled segment's index files were never written (the flush writes them).
        Assert.Equal(0, log.RecoveryPoint);
        s.Manager.WriteCheckpoints();
        Assert.Contains("t 0 0\n", File.ReadAllText(Path.Combine(s.LogDir, "recovery-point-offset-checkpoint")), StringComparison.Ordinal);
        Assert.Equal(0, FileLength(LogFileNames.IndexFile(PartitionDir(s), 0)));
        Assert.Equal(0, FileLength(LogFileNames.TimeIndexFile(PartitionDir(s), 0)));

        gate.ReleaseAndDrain();
        Assert.Equal(rolledAt, log.RecoveryPoint);
        Assert.True(FileLength(LogFileNames.IndexFile(PartitionDir(s), 0)) > 0);
        Assert.True(FileLength(LogFileNames.TimeIndexFile(PartitionDir(s), 0)) > 0);
        s.Manager.WriteCheckpoints();
        Assert.Contains($"t 0 {rolledAt}\n", File.ReadAllText(Path.Combine(s.LogDir, "recovery-point-offset-checkpoint")), StringComparison.Ordinal);
    }

    [Fact]
    public void Flush_messages_still_fsyncs_on_the_append_path_including_rolled_segments()
    {
        using var s = new Storage(config: Small with { FlushMessages = 1 });
        using var gate = new FlushGate(s.Manager);
        PartitionLog log = s.Log();
        for (int i = 0; i < 30; i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(1, s.NowMs, valueSize: 150), 0).Succeeded);
            Assert.Equal(log.LogEndOffset, log.RecoveryPoint);
        }
        Assert.True(log.SegmentCount > 3);
        // The queued rounds find nothing left to do, and never move the recovery point back.
        gate.ReleaseAndDrain();
        Assert.Equal(30, log.RecoveryPoint);
    }

    [Fact]
    public void Segments_deleted_while_their_flush_is_blocked_are_skipped_without_errors_or_leftovers()
    {
        using var s = new Storage(config: Small);
        using var gate = new FlushGate(s.Manager);
        PartitionLog log = s.Log();
        Append(s, log, 40);
        long[] rolled = log.SegmentBaseOffsets[..^1];
        Assert.True(rolled.Length >= 4);
        gate.WaitEntered();

        // DeleteRecords removes every closed segment the blocked round is about to flush.
        log.HighWatermark = log.LogEndOffset;
        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(log.SegmentBaseOffsets[^1]).Error);
        Assert.Equal(1, log.SegmentCount);

        gate.ReleaseAndDrain();
        Assert.False(log.IsOffline);
        Assert.Empty(s.Logs.Warnings);
        Assert.Equal(log.SegmentBaseOffsets[0], log.RecoveryPoint);
        // Nothing of the deleted segments was written again (file.delete.delay.ms is 0 here).
        foreach (long b in rolled)
        {
            Assert.Empty(Directory.GetFiles(PartitionDir(s), LogFileNames.OffsetName(b) + ".*"));
        }
        Assert.Equal(1, s.Manager.OpenFileCount); // only the active segment: the flush's lease was released
        Append(s, log, 3);
        Assert.Equal(log.LogEndOffset - log.LogStartOffset, LogReading.ReadAll(log).Count);
    }

    [Fact]
    public void A_truncation_while_the_flush_is_blocked_keeps_the_recovery_point_at_or_below_what_was_flushed()
    {
        using var s = new Storage(config: Small);
        using var gate = new FlushGate(s.Manager);
        PartitionLog log = s.Log();
        Append(s, log, 40);
        long[] bases = log.SegmentBaseOffsets;
        gate.WaitEntered();

        // A follower cutting back into the third segment: it becomes the active one again.
        long cutTo = bases[2] + 2;
        log.TruncateTo(cutTo);
        Assert.Equal(bases[..3], log.SegmentBaseOffsets);

        gate.ReleaseAndDrain();
        Assert.Equal(bases[2], log.RecoveryPoint); // the closed segments below the active one, not the truncated log end
        Assert.Empty(s.Logs.Warnings);
        Append(s, log, 2);
        Assert.Equal(cutTo + 2, LogReading.ReadAll(log).Count);
        log.Flush();
        Assert.Equal(cutTo + 2, log.RecoveryPoint);
    }

    [Fact]
    public void Deleting_the_topic_while_its_flush_is_blocked_leaves_no_files_or_handles()
    {
        using var s = new Storage(config: Small);
        using var gate = new FlushGate(s.Manager);
        PartitionLog log = s.Log();
        Append(s, log, 40);
        gate.WaitEntered();

        Assert.True(s.Manager.DeleteLog("t", 0));
        gate.ReleaseAndDrain();

        Assert.Empty(s.Logs.Warnings);
        Assert.Equal(0, s.Manager.OpenFileCount);
        Assert.Empty(Directory.GetDirectories(s.LogDir));
    }

    [Fact]
    public void A_clean_shutdown_waits_for_a_running_flush_and_flushes_what_is_still_queued()
    {
        using var dir = new TempDir();
        var s = new Storage(dir, Small);
        try
        {
            using var gate = new FlushGate(s.Manager);
            PartitionLog a = s.Log("a");
            PartitionLog b = s.Log("b");
            Append(s, a, 20);
            gate.WaitEntered(); // running: the round of partition a
            Append(s, b, 20);   // queued behind it: partition b's round never starts
            Assert.True(s.Manager.Flusher.Pending >= 2);

            Task close = Task.Run(s.Manager.Close);
            gate.Release();
            Assert.True(close.Wait(TimeSpan.FromSeconds(30)), "close did not finish");
            Assert.Equal(0, s.Manager.Flusher.Pending);
            Assert.Equal(0, s.Manager.OpenFileCount);
            Assert.Empty(s.Logs.Warnings);
        }
        finally
        {
            s.Manager.Close();
        }

        using var reopened = new Storage(dir, Small);
        Assert.True(reopened.Manager.HadCleanShutdown);
        foreach (string topic in new[] { "a", "b" })
        {
            PartitionLog log = reopened.Log(topic);
            Assert.Equal(20, log.LogEndOffset);
            Assert.Equal(20, log.RecoveryPoint);
            Assert.Equal(20, LogReading.ReadAll(log).Count);
        }
        Assert.Empty(reopened.Logs.Warnings);
    }

    [Fact]
    public void An_unclean_restart_while_rolled_segments_were_unflushed_recovers_every_acknowledged_record()
    {
        using var crashImage = new TempDir();
        List<StoredRecord> acknowledged;
        byte[] lastBatch = [];
        using (var s = new Storage(config: Small))
        {
            using var gate = new FlushGate(s.Manager);
            PartitionLog log = s.Log();
            for (int i = 0; i < 40; i++)
            {
                lastBatch = Batches.Make(1, s.NowMs, valueSize: 150, producerId: 7, producerEpoch: 0, baseSequence: i);
                Assert.True(log.AppendAsLeader(lastBatch, 0).Succeeded);
            }
            Assert.True(log.SegmentCount >= 5);
            gate.WaitEntered();
            log.HighWatermark = log.LogEndOffset;
            s.Manager.WriteCheckpoints(); // what a crash now would find: recovery point 0
            acknowledged = LogReading.ReadAll(log);
            // The process dies here: the directory as it is now, without a clean close.
            CrashRecoveryTests.CopyDirectory(s.LogDir, crashImage.Sub("logs"));
        }
        using var restarted = new Storage(crashImage, Small);
        lastBatch = Batches.Make(1, restarted.NowMs, valueSize: 150, producerId: 7, producerEpoch: 0, baseSequence: 39);
        Assert.False(restarted.Manager.HadCleanShutdown);
        PartitionLog recovered = restarted.Log();
        Assert.False(recovered.IsOffline);
        Assert.Equal(40, recovered.LogEndOffset);
        Assert.Equal(40, recovered.RecoveryPoint); // recovery validated and fsync'd everything
        Assert.Equal(acknowledged, LogReading.ReadAll(recovered));
        // Producer state came back too: a retry of the last batch is recognised, not appended again.
        LogAppendResult retry = recovered.AppendAsLeader(lastBatch, 0);
        Assert.True(retry.Duplicate);
        Assert.Equal(39, retry.BaseOffset);
        Assert.Empty(restarted.Logs.Warnings);
    }

    [Fact]
    public void A_clean_restart_after_rolls_loads_lazily_with_everything_flushed()
    {
        using var dir = new TempDir();
        long[] bases;
        using (var s = new Storage(dir, Small))
        {
            PartitionLog log = s.Log();
            Append(s, log, 40);
            bases = log.SegmentBaseOffsets;
            Wait.Until(() => log.RecoveryPoint == bases[^1], "the background flush of the rolled segments");
        }
        using var reopened = new Storage(dir, Small);
        Assert.True(reopened.Manager.HadCleanShutdown);
        PartitionLog again = reopened.Log();
        Assert.Equal(bases, again.SegmentBaseOffsets);
        Assert.Equal(40, again.LogEndOffset);
        Assert.Equal(40, again.RecoveryPoint);
        Assert.Equal(40, LogReading.ReadAll(again).Count);
        AppendReadTests.AssertEveryOffsetFound(again);
        Assert.Empty(reopened.Logs.Warnings);
    }

    [Fact]
    public void A_rolled_segment_torn_before_its_flush_completed_is_cut_there_with_the_segments_after_it()
    {
        using var crashImage = new TempDir();
        List<StoredRecord> acknowledged;
        long[] bases;
        using (var s = new Storage(config: Small))
        {
            using var gate = new FlushGate(s.Manager);
            PartitionLog log = s.Log();
            Append(s, log, 40);
            bases = log.SegmentBaseOffsets;
            gate.WaitEntered();
            log.HighWatermark = log.LogEndOffset;
            s.Manager.WriteCheckpoints();
            acknowledged = LogReading.ReadAll(log);
            CrashRecoveryTests.CopyDirectory(s.LogDir, crashImage.Sub("logs"));
        }
        // Power lost before the flush: the second half of the third segment never reached the disk.
        string torn = LogFileNames.LogFile(Path.Combine(crashImage.Sub("logs"), "t-0"), bases[2]);
        byte[] bytes = File.ReadAllBytes(torn);
        int cut = bytes.Length / 2;
        long expectedEnd = -1;
        int pos = 0;
        foreach (RecordBatch b in RecordBatch.Enumerate(bytes))
        {
            if (pos + b.SizeInBytes > cut)
            {
                expectedEnd = b.BaseOffset;
                break;
            }
            pos += b.SizeInBytes;
        }
        Array.Clear(bytes, cut, bytes.Length - cut);
        File.WriteAllBytes(torn, bytes);

        using var restarted = new Storage(crashImage, Small);
        PartitionLog recovered = restarted.Log();
        Assert.False(recovered.IsOffline);
        Assert.Equal(expectedEnd, recovered.LogEndOffset);
        Assert.Equal(bases[..3], recovered.SegmentBaseOffsets);
        Assert.Equal(acknowledged.Where(r => r.Offset < expectedEnd).ToList(), LogReading.ReadAll(recovered));
        string warning = Assert.Single(restarted.Logs.Warnings);
        Assert.Contains(Path.GetFileName(torn), warning);
        Assert.Contains($"offset {expectedEnd}", warning);
        Assert.Equal(expectedEnd, recovered.AppendAsLeader(Batches.Make(1, restarted.NowMs), 0).BaseOffset);
    }

    [Fact]
    public void Damage_in_a_rolled_segment_whose_flush_completed_is_corruption_and_takes_the_partition_offline()
    {
        // index.interval.bytes above the segment size: the only offset index entry of a rolled segment
        // is the one for its last batch, written by the flush after the data's fsync.
        LogConfig config = Small with { IndexIntervalBytes = 4096 };
        using var crashImage = new TempDir();
        long[] bases;
        using (var s = new Storage(config: config))
        {
            PartitionLog log = s.Log();
            Append(s, log, 40);
            bases = log.SegmentBaseOffsets;
            Wait.Until(() => log.RecoveryPoint == bases[^1], "the background flush of the rolled segments");
            CrashRecoveryTests.CopyDirectory(s.LogDir, crashImage.Sub("logs"));
        }
        string dir = Path.Combine(crashImage.Sub("logs"), "t-0");
        File.Delete(Path.Combine(crashImage.Sub("logs"), "recovery-point-offset-checkpoint")); // the checkpoint lagged behind
        // A flipped bit in the last batch of the second segment, which its flush had made durable.
        string damaged = LogFileNames.LogFile(dir, bases[1]);
        byte[] bytes = File.ReadAllBytes(damaged);
        bytes[^10] ^= 0x20;
        File.WriteAllBytes(damaged, bytes);

        using var restarted = new Storage(crashImage, config);
        PartitionLog bad = restarted.Log();
        Assert.True(bad.IsOffline);
        Assert.Contains(Path.GetFileName(damaged), bad.OfflineReason);
        Assert.Equal(bytes, File.ReadAllBytes(damaged)); // left as it was for inspection
        Assert.Equal(bases.Length, Directory.GetFiles(dir, "*.log").Length);
    }
}
