using System.Buffers;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

using Samsa.Protocol;

namespace Samsa.Storage.Tests;

public sealed class AppendReadTests
{
    private static readonly LogConfig Small = LogConfig.Default with { SegmentBytes = 4096, IndexIntervalBytes = 200 };

    [Fact]
    public void Records_round_trip_across_many_segment_rolls_and_a_restart()
    {
        using var s = new Storage(config: Small);
        PartitionLog log = s.Log();
        var expected = new List<StoredRecord>();
        var rnd = new Random(7);
        for (int i = 0; i < 300; i++)
        {
            int n = rnd.Next(1, 6);
            long ts = s.NowMs + i;
            byte[] batch = Batches.Make(n, ts, prefix: $"b{i}", valueSize: rnd.Next(0, 120));
            LogAppendResult r = log.AppendAsLeader(batch, leaderEpoch: 0);
            Assert.True(r.Succeeded, r.ErrorMessage);
            Assert.Equal(expected.Count, r.BaseOffset);
            Assert.Equal(expected.Count + n - 1, r.LastOffset);
            foreach (RecordBatch b in RecordBatch.Enumerate(batch))
            {
                foreach (Samsa.Protocol.Records.Record rec in b.GetRecords())
                {
                    expected.Add(new StoredRecord(rec.Offset, rec.Timestamp, System.Text.Encoding.UTF8.GetString(rec.Value)));
                }
            }
        }
        Assert.True(log.SegmentCount > 10, $"only {log.SegmentCount} segments");
        Assert.Equal(expected.Count, log.LogEndOffset);
        Assert.Equal(expected, LogReading.ReadAll(log, maxBytes: 1000));

        s.Reopen();
        PartitionLog reopened = s.Log();
        Assert.Equal(expected.Count, reopened.LogEndOffset);
        Assert.Equal(expected, LogReading.ReadAll(reopened, maxBytes: 3000));
        // Appends continue after the restart with the next offset.
        Assert.Equal(expected.Count, reopened.AppendAsLeader(Batches.Make(1, s.NowMs), 0).BaseOffset);
    }

    [Fact]
    public void Every_offset_is_found_through_the_index_before_and_after_a_restart()
    {
        using var s = new Storage(config: Small);
        PartitionLog log = s.Log();
        for (int i = 0; i < 200; i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(1 + i % 4, s.NowMs, valueSize: 40), 0).Succeeded);
        }
        AssertEveryOffsetFound(log);
        s.Reopen();
        AssertEveryOffsetFound(s.Log());
        // Index files deleted: rebuilt from the log on first use.
        s.Manager.Close();
        foreach (string f in Directory.GetFiles(Path.Combine(s.LogDir, "t-0"), "*.index"))
        {
            File.Delete(f);
        }
        s.Open();
        AssertEveryOffsetFound(s.Log());
    }

    internal static void AssertEveryOffsetFound(PartitionLog log)
    {
        long end = log.LogEndOffset;
        for (long o = log.LogStartOffset; o < end; o++)
        {
            using LogReadResult r = log.Read(o, 1, end, minOneMessage: true);
            Assert.Equal(ErrorCode.None, r.Error);
            var w = new ArrayBufferWriter<byte>();
            r.Region!.Value.CopyTo(w);
            var h = new RecordBatchHeader(w.WrittenSpan);
            Assert.True(h.BaseOffset <= o && o <= h.LastOffset, $"offset {o} read batch {h.BaseOffset}..{h.LastOffset}");
            Assert.Equal(h.TotalSize, r.Length); // minOneMessage: one whole batch even above maxBytes
        }
    }

    [Fact]
    public void Read_respects_the_upper_bound_max_bytes_and_offset_range()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        for (int i = 0; i < 10; i++)
        {
            log.AppendAsLeader(Batches.Make(2, s.NowMs, valueSize: 100), 0);
        }
        using (LogReadResult r = log.Read(0, int.MaxValue, upperBound: 6, minOneMessage: true))
        {
            var w = new ArrayBufferWriter<byte>();
            r.Region!.Value.CopyTo(w);
            long last = -1;
            foreach (RecordBatch b in RecordBatch.Enumerate(w.WrittenSpan))
            {
                last = b.LastOffset;
            }
            Assert.Equal(5, last);
        }
        using (LogReadResult r = log.Read(6, 100, upperBound: 6, minOneMessage: true))
        {
            Assert.Equal(ErrorCode.None, r.Error);
            Assert.Null(r.Region);
        }
        using (LogReadResult r = log.Read(0, 10, log.LogEndOffset, minOneMessage: false))
        {
            Assert.Equal(10, r.Length);
        }
        using (LogReadResult r = log.Read(21, 100, log.LogEndOffset, true))
        {
            Assert.Equal(ErrorCode.OffsetOutOfRange, r.Error);
        }
        using (LogReadResult r = log.Read(20, 100, log.LogEndOffset, true))
        {
            Assert.Equal(ErrorCode.None, r.Error);
            Assert.Null(r.Region);
        }
    }

    [Fact]
    public async Task Region_copies_to_a_stream_without_decoding()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        byte[] batch = Batches.Make(3, s.NowMs);
        log.AppendAsLeader(batch, 5);
        using LogReadResult r = log.Read(0, 1 << 20, log.LogEndOffset, true);
        using var ms = new MemoryStream();
        await r.Region!.Value.CopyToAsync(ms);
        // Stored bytes are the producer's batch with the base offset and leader epoch patched in.
        Assert.Equal(batch, ms.ToArray());
        Assert.Equal(5, new RecordBatchHeader(ms.ToArray()).PartitionLeaderEpoch);
    }

    [Fact]
    public void Bad_batches_get_kafka_error_codes()
    {
        using var s = new Storage(config: LogConfig.Default with { MaxMessageBytes = 500, MessageTimestampAfterMaxMs = 1000, MessageTimestampBeforeMaxMs = 5000 });
        PartitionLog log = s.Log();
        byte[] good = Batches.Make(2, s.NowMs);

        byte[] badCrc = (byte[])good.Clone();
        badCrc[^1] ^= 0xFF;
        Assert.Equal(ErrorCode.CorruptMessage, log.AppendAsLeader(badCrc, 0).Error);
        Assert.Equal(ErrorCode.CorruptMessage, log.AppendAsLeader(good.AsSpan(0, good.Length - 3).ToArray(), 0).Error);
        Assert.Equal(ErrorCode.CorruptMessage, log.AppendAsLeader(new byte[] { 1, 2, 3 }, 0).Error);

        byte[] magic1 = (byte[])good.Clone();
        magic1[RecordBatchLayout.MagicOffset] = 1;
        Assert.Equal(ErrorCode.UnsupportedForMessageFormat, log.AppendAsLeader(magic1, 0).Error);

        Assert.Equal(ErrorCode.MessageTooLarge, log.AppendAsLeader(Batches.Make(1, s.NowMs, valueSize: 600), 0).Error);
        Assert.Equal(ErrorCode.InvalidTimestamp, log.AppendAsLeader(Batches.Make(1, s.NowMs + 5000), 0).Error);
        Assert.Equal(ErrorCode.InvalidTimestamp, log.AppendAsLeader(Batches.Make(1, s.NowMs - 10_000), 0).Error);

        Assert.Equal(0, log.LogEndOffset); // nothing of the above was stored
        Assert.True(log.AppendAsLeader(good, 0).Succeeded);
    }

    [Fact]
    public void Too_many_bytes_for_a_segment_is_record_list_too_large()
    {
        using var s = new Storage(config: LogConfig.Default with { SegmentBytes = 1000 });
        var all = new ArrayBufferWriter<byte>();
        for (int i = 0; i < 20; i++)
        {
            all.Write(Batches.Make(1, s.NowMs, valueSize: 100));
        }
        Assert.Equal(ErrorCode.RecordListTooLarge, s.Log().AppendAsLeader(all.WrittenSpan.ToArray(), 0).Error);
    }

    [Fact]
    public void Log_append_time_replaces_timestamps()
    {
        using var s = new Storage(config: LogConfig.Default with { MessageTimestampType = TimestampType.LogAppendTime });
        PartitionLog log = s.Log();
        LogAppendResult r = log.AppendAsLeader(Batches.Make(2, 12345), 0);
        Assert.Equal(s.NowMs, r.LogAppendTime);
        List<StoredRecord> records = LogReading.ReadAll(log);
        Assert.All(records, rec => Assert.Equal(s.NowMs, rec.Timestamp));
    }

    [Fact]
    public void Compression_type_recompresses_on_append()
    {
        using var s = new Storage(config: LogConfig.FromProperties([new("compression.type", "gzip")]));
        PartitionLog log = s.Log();
        Assert.True(log.AppendAsLeader(Batches.Make(5, s.NowMs, compression: CompressionType.Snappy), 0).Succeeded);
        Assert.True(log.AppendAsLeader(Batches.Make(3, s.NowMs), 0).Succeeded);
        using LogReadResult r = log.Read(0, 1 << 20, log.LogEndOffset, true);
        var w = new ArrayBufferWriter<byte>();
        r.Region!.Value.CopyTo(w);
        var values = new List<string>();
        foreach (RecordBatch b in RecordBatch.Enumerate(w.WrittenSpan))
        {
            Assert.Equal(CompressionType.Gzip, b.CompressionType);
            foreach (Samsa.Protocol.Records.Record rec in b.GetRecords())
            {
                values.Add($"{rec.Offset}:{System.Text.Encoding.UTF8.GetString(rec.Value)}");
            }
        }
        Assert.Equal(["0:v-0", "1:v-1", "2:v-2", "3:v-3", "4:v-4", "5:v-0", "6:v-1", "7:v-2"], values);
    }

    [Fact]
    public void Follower_append_keeps_the_leaders_offsets_and_epochs()
    {
        using var s = new Storage();
        PartitionLog leader = s.Log("leader");
        PartitionLog follower = s.Log("follower");
        for (int i = 0; i < 5; i++)
        {
            leader.AppendAsLeader(Batches.Make(2, s.NowMs), leaderEpoch: i < 3 ? 1 : 4);
        }
        using LogReadResult r = leader.Read(0, 1 << 20, leader.LogEndOffset, true);
        var w = new ArrayBufferWriter<byte>();
        r.Region!.Value.CopyTo(w);
        LogAppendResult fr = follower.AppendAsFollower(w.WrittenSpan);
        Assert.True(fr.Succeeded, fr.ErrorMessage);
        Assert.Equal(10, follower.LogEndOffset);
        Assert.Equal(leader.LeaderEpochs, follower.LeaderEpochs);
        Assert.Equal([new(1, 0), new(4, 6)], follower.LeaderEpochs);
        Assert.Equal((1, 6L), follower.EndOffsetForEpoch(2));
        // Replaying the same data again is refused: it does not continue the log.
        Assert.False(follower.AppendAsFollower(w.WrittenSpan).Succeeded);
    }

    [Fact]
    public void A_reader_keeps_its_region_while_the_segment_is_deleted()
    {
        using var s = new Storage(config: Small with { RetentionBytes = 0, FileDeleteDelayMs = 0 });
        PartitionLog log = s.Log();
        for (int i = 0; i < 100; i++)
        {
            log.AppendAsLeader(Batches.Make(1, s.NowMs, valueSize: 100), 0);
        }
        log.HighWatermark = log.LogEndOffset;
        using LogReadResult r = log.Read(0, 1000, log.LogEndOffset, true);
        Assert.True(s.Manager.RunRetention() > 0);
        Assert.False(File.Exists(Path.Combine(s.LogDir, "t-0", "00000000000000000000.log")));
        var w = new ArrayBufferWriter<byte>();
        r.Region!.Value.CopyTo(w); // still readable through the leased handle
        Assert.Equal(0, new RecordBatchHeader(w.WrittenSpan).BaseOffset);
        using LogReadResult gone = log.Read(0, 1000, log.LogEndOffset, true);
        Assert.Equal(ErrorCode.OffsetOutOfRange, gone.Error);
    }

    [Fact]
    public void A_region_keeps_reading_its_own_file_after_a_new_file_takes_the_same_name()
    {
        using var s = new Storage(config: LogConfig.Default with { FileDeleteDelayMs = 0 });
        PartitionLog log = s.Log();
        log.AppendAsLeader(Batches.Make(3, s.NowMs, prefix: "old", valueSize: 50), 0);
        using LogReadResult old = log.Read(0, 1 << 20, 3, true);
        log.TruncateTo(0); // the segment file goes; a new 00000000000000000000.log replaces it
        log.AppendAsLeader(Batches.Make(3, s.NowMs, prefix: "new", valueSize: 50), 0);
        Assert.True(File.Exists(Path.Combine(s.LogDir, "t-0", "00000000000000000000.log")));
        var w = new ArrayBufferWriter<byte>();
        old.Region!.Value.CopyTo(w);
        var values = new List<string>();
        foreach (RecordBatch b in RecordBatch.Enumerate(w.WrittenSpan))
        {
            foreach (Samsa.Protocol.Records.Record rec in b.GetRecords())
            {
                values.Add(System.Text.Encoding.UTF8.GetString(rec.Value));
            }
        }
        Assert.All(values, v => Assert.StartsWith("old", v));
        Assert.All(LogReading.ReadAll(log), r => Assert.StartsWith("new", r.Value));
    }

    [Fact]
    public async Task Concurrent_readers_never_see_a_partial_batch()
    {
        using var s = new Storage(config: LogConfig.Default with { SegmentBytes = 64 * 1024 });
        PartitionLog log = s.Log();
        using var cts = new CancellationTokenSource();
        int checkedBatches = 0;
        Task reader = Task.Run(() =>
        {
            while (!cts.IsCancellationRequested)
            {
                long end = log.LogEndOffset;
                long start = Math.Max(0, end - 50);
                using LogReadResult r = log.Read(start, 1 << 20, end, true);
                if (r.Region is null)
                {
                    continue;
                }
                var w = new ArrayBufferWriter<byte>();
                r.Region.Value.CopyTo(w);
                var e = RecordBatch.Enumerate(w.WrittenSpan);
                while (e.MoveNext())
                {
                    Assert.True(e.Current.IsCrcValid);
                    Assert.True(e.Current.LastOffset < end);
                    Interlocked.Increment(ref checkedBatches);
                }
                Assert.True(e.Remaining.IsEmpty, "a partial batch was visible");
            }
        });
        // Keep appending until the reader has raced many appends (a busy machine may start it late),
        // within a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        for (int i = 0; i < 2000 || (Volatile.Read(ref checkedBatches) < 1000 && !reader.IsCompleted && DateTime.UtcNow < deadline); i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(1 + i % 3, s.NowMs, valueSize: 200), 0).Succeeded);
        }
        await cts.CancelAsync();
        await reader;
        Assert.True(Volatile.Read(ref checkedBatches) >= 1000, $"the reader checked only {checkedBatches} batches");
    }
}
