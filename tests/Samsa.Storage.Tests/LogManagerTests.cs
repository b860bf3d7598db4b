using Samsa.Protocol;

namespace Samsa.Storage.Tests;

public sealed class LogManagerTests
{
    [Fact]
    public void Many_partitions_share_a_bounded_number_of_open_files()
    {
        using var s = new Storage(config: LogConfig.Default with { SegmentBytes = 1000 }, maxOpenFiles: 16);
        for (int p = 0; p < 200; p++)
        {
            PartitionLog log = s.Log("many", p);
            for (int i = 0; i < 5; i++)
            {
                Assert.True(log.AppendAsLeader(Batches.Make(2, s.NowMs, valueSize: 100), 0).Succeeded);
            }
            Assert.True(s.Manager.OpenFileCount <= 16, $"{s.Manager.OpenFileCount} files open");
        }
        // Everything is still readable: evicted handles reopen on demand.
        for (int p = 0; p < 200; p += 17)
        {
            Assert.Equal(10, LogReading.ReadAll(s.Log("many", p)).Count);
        }
        Assert.True(s.Manager.OpenFileCount <= 16);
    }

    [Fact]
    public void After_a_clean_shutdown_partitions_load_lazily()
    {
        using var dir = new TempDir();
        using (var s = new Storage(dir))
        {
            for (int p = 0; p < 20; p++)
            {
                s.Log("lazy", p).AppendAsLeader(Batches.Make(3, s.NowMs), 0);
            }
        }
        using var s2 = new Storage(dir);
        Assert.True(s2.Manager.HadCleanShutdown);
        Assert.Equal(20, s2.Manager.Logs.Count);
        Assert.All(s2.Manager.Logs, l => Assert.False(l.IsLoaded));
        Assert.Equal(0, s2.Manager.OpenFileCount);
        Assert.Equal(3, s2.Log("lazy", 7).LogEndOffset);
        Assert.Single(s2.Manager.Logs, l => l.IsLoaded);
    }

    [Fact]
    public void Partition_directory_holds_kafkas_files()
    {
        using var s = new Storage(config: LogConfig.Default with { SegmentBytes = 1000 });
        Guid id = Storage.TopicId("files");
        PartitionLog log = s.Manager.GetOrCreateLog("files", 3, id);
        for (int i = 0; i < 20; i++)
        {
            log.AppendAsLeader(Batches.Make(1, s.NowMs, valueSize: 100, producerId: 5, producerEpoch: 0, baseSequence: i), leaderEpoch: 2);
        }
        log.HighWatermark = 20;
        s.Manager.Close();

        string dir = Path.Combine(s.LogDir, "files-3");
        string[] names = Directory.GetFiles(dir).Select(Path.GetFileName).ToArray()!;
        Assert.Contains("00000000000000000000.log", names);
        Assert.Contains("00000000000000000000.index", names);
        Assert.Contains("00000000000000000000.timeindex", names);
        Assert.Contains("00000000000000000020.snapshot", names);
        Assert.Equal("0\n1\n2 0\n", File.ReadAllText(Path.Combine(dir, "leader-epoch-checkpoint")));
        string kafkaId = Convert.ToBase64String(id.ToByteArray(bigEndian: true)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal($"version: 0\ntopic_id: {kafkaId}\n", File.ReadAllText(Path.Combine(dir, "partition.metadata")));
        Assert.Equal("0\n1\nfiles 3 20\n", File.ReadAllText(Path.Combine(s.LogDir, "recovery-point-offset-checkpoint")));
        Assert.Equal("0\n1\nfiles 3 0\n", File.ReadAllText(Path.Combine(s.LogDir, "log-start-offset-checkpoint")));
        Assert.Equal("0\n1\nfiles 3 20\n", File.ReadAllText(Path.Combine(s.LogDir, "replication-offset-checkpoint")));
        Assert.True(File.Exists(Path.Combine(s.LogDir, LogManager.CleanShutdownFile)));
        // Index files hold exactly their entries: 8 and 12 bytes each.
        Assert.Equal(0, new FileInfo(Path.Combine(dir, "00000000000000000000.index")).Length % 8);
        Assert.Equal(0, new FileInfo(Path.Combine(dir, "00000000000000000000.timeindex")).Length % 12);

        s.Open();
        Assert.Throws<InvalidOperationException>(() => s.Manager.GetOrCreateLog("files", 3, Guid.NewGuid()));
    }

    [Fact]
    public void Deleting_a_partition_removes_its_directory_and_keeps_readers_working()
    {
        using var s = new Storage();
        PartitionLog log = s.Log("gone");
        log.AppendAsLeader(Batches.Make(3, s.NowMs), 0);
        using LogReadResult r = log.Read(0, 1000, 3, true);
        Assert.True(s.Manager.DeleteLog("gone", 0));
        Assert.False(Directory.Exists(Path.Combine(s.LogDir, "gone-0")));
        Assert.Empty(Directory.GetDirectories(s.LogDir));
        Assert.Null(s.Manager.GetLog("gone", 0));
        Assert.Equal(ErrorCode.KafkaStorageError, log.AppendAsLeader(Batches.Make(1, s.NowMs), 0).Error);
        var w = new System.Buffers.ArrayBufferWriter<byte>();
        r.Region!.Value.CopyTo(w);
        Assert.Equal(r.Length, w.WrittenCount);
        // Re-created under the same name: a new, empty log.
        Assert.Equal(0, s.Log("gone").LogEndOffset);
        Assert.DoesNotContain("gone", File.ReadAllText(Path.Combine(s.LogDir, "recovery-point-offset-checkpoint")).Split('\n').Skip(2).FirstOrDefault() ?? "");
    }

    [Fact]
    public void Bad_topic_names_are_refused()
    {
        using var s = new Storage();
        Assert.Throws<ArgumentException>(() => s.Manager.GetOrCreateLog("../evil", 0, Guid.NewGuid()));
        Assert.Throws<ArgumentException>(() => s.Manager.GetOrCreateLog("", 0, Guid.NewGuid()));
        Assert.Throws<ArgumentException>(() => s.Manager.GetOrCreateLog("a/b", 0, Guid.NewGuid()));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Manager.GetOrCreateLog("ok", -1, Guid.NewGuid()));
        Assert.Throws<ArgumentException>(() => s.Manager.GetOrCreateLog(LogManager.MetadataTopic, 0, Guid.NewGuid()));
    }

    [Fact]
    public void The_metadata_log_directory_is_left_alone()
    {
        using var s = new Storage();
        string meta = Path.Combine(s.LogDir, "__cluster_metadata-0");
        Directory.CreateDirectory(meta);
        File.WriteAllText(Path.Combine(meta, "state.tmp"), "raft");
        File.WriteAllText(Path.Combine(meta, "x.index"), "raft");
        s.Log().AppendAsLeader(Batches.Make(1, s.NowMs), 0);
        s.Manager.Close();
        s.MakeUnclean(); // recovery runs over every partition directory, but not this one
        s.Open();
        Assert.Null(s.Manager.GetLog(LogManager.MetadataTopic, 0));
        Assert.Equal(["state.tmp", "x.index"], Directory.GetFiles(meta).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Flush_ms_fsyncs_when_the_oldest_unflushed_data_is_old_enough()
    {
        using var s = new Storage(config: LogConfig.Default with { FlushMs = 1000 });
        PartitionLog log = s.Log();
        log.AppendAsLeader(Batches.Make(3, s.NowMs), 0);
        s.Manager.FlushDueLogs();
        Assert.Equal(0, log.RecoveryPoint);
        s.Time.Advance(TimeSpan.FromSeconds(2));
        s.Manager.FlushDueLogs();
        Assert.Equal(3, log.RecoveryPoint);
    }

    [Fact]
    public void Segment_ms_rolls_by_record_time_and_flush_messages_moves_the_recovery_point()
    {
        using var s = new Storage(config: LogConfig.Default with { SegmentMs = 60_000, FlushMessages = 4 });
        PartitionLog log = s.Log();
        log.AppendAsLeader(Batches.Make(1, s.NowMs), 0);
        log.AppendAsLeader(Batches.Make(1, s.NowMs), 0);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(0, log.RecoveryPoint);
        s.Time.Advance(TimeSpan.FromMinutes(2));
        log.AppendAsLeader(Batches.Make(2, s.NowMs), 0);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal([0L, 2L], log.SegmentBaseOffsets);
        Assert.Equal(4, log.RecoveryPoint); // 4 records appended: flush.messages reached
    }

    [Fact]
    public void Topic_configs_parse_kafka_names_and_reject_bad_values()
    {
        LogConfig c = LogConfig.FromProperties([
            new("segment.bytes", "1048576"), new("retention.ms", "-1"), new("retention.bytes", "5000"),
            new("message.timestamp.type", "LogAppendTime"), new("cleanup.policy", "compact,delete"),
            new("compression.type", "zstd"), new("max.message.bytes", "2000"), new("unknown.key", "x"),
            new("message.timestamp.difference.max.ms", "1000"),
        ]);
        Assert.Equal(1048576, c.SegmentBytes);
        Assert.Equal(-1, c.RetentionMs);
        Assert.Equal(5000, c.RetentionBytes);
        Assert.Equal(Samsa.Protocol.Records.TimestampType.LogAppendTime, c.MessageTimestampType);
        Assert.True(c.Compact && c.Delete);
        Assert.Equal("zstd", c.CompressionType);
        Assert.Equal(2000, c.MaxMessageBytes);
        Assert.Equal((1000L, 1000L), (c.MessageTimestampBeforeMaxMs, c.MessageTimestampAfterMaxMs));
        Assert.Equal(604800000, LogConfig.Default.RetentionMs);
        Assert.Equal(4096, LogConfig.Default.IndexIntervalBytes);
        var ex = Assert.Throws<ArgumentException>(() => LogConfig.FromProperties([new("segment.bytes", "lots")]));
        Assert.Contains("segment.bytes", ex.Message);
        Assert.Throws<ArgumentException>(() => LogConfig.FromProperties([new("cleanup.policy", "shred")]));
        Assert.Throws<ArgumentException>(() => LogConfig.FromProperties([new("compression.type", "brotli")]));
    }
}
