using System.Buffers;
using System.Text;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Storage.Tests;

public sealed class CompactionTests
{
    private static readonly LogConfig Compacted = LogConfig.Default with
    {
        CleanupPolicy = "compact",
        SegmentBytes = 64 * 1024,
        IndexIntervalBytes = 512,
        MessageTimestampBeforeMaxMs = long.MaxValue,
        FileDeleteDelayMs = 0,
    };

    /// <summary>One batch of (key, value) records; a null value is a tombstone.</summary>
    private static byte[] Updates(long timestamp, params (string Key, string? Value)[] records)
    {
        using var b = new RecordBatchBuilder();
        foreach ((string key, string? value) in records)
        {
            b.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }
        return b.Build().ToArray();
    }

    private static void Append(PartitionLog log, byte[] batch)
    {
        LogAppendResult r = log.AppendAsLeader(batch, 0);
        Assert.True(r.Succeeded, r.ErrorMessage);
        log.HighWatermark = log.LogEndOffset;
    }

    /// <summary>Every record from the log start: (offset, key, value or null).</summary>
    private static List<(long Offset, string Key, string? Value)> ReadAll(PartitionLog log, long end = -1, bool tailMayBeEmpty = false)
    {
        var result = new List<(long, string, string?)>();
        long offset = log.LogStartOffset;
        end = end < 0 ? log.HighWatermark : end;
        while (offset < end)
        {
            using LogReadResult r = log.Read(offset, 16 * 1024, end, minOneMessage: true);
            Assert.Equal(ErrorCode.None, r.Error);
            if (r.Region is null && tailMayBeEmpty)
            {
                break; // everything after the last record was cleaned away (dropped tombstones)
            }
            Assert.True(r.Region is not null, $"empty read at offset {offset} below {end}");
            var w = new ArrayBufferWriter<byte>();
            r.Region!.Value.CopyTo(w);
            long next = offset;
            foreach (RecordBatch batch in RecordBatch.Enumerate(w.WrittenSpan))
            {
                Assert.True(batch.IsCrcValid);
                foreach (Samsa.Protocol.Records.Record rec in batch.GetRecords())
                {
                    if (rec.Offset >= offset && rec.Offset < end)
                    {
                        Assert.True(result.Count == 0 || rec.Offset > result[^1].Item1, $"offset {rec.Offset} does not increase");
                        result.Add((rec.Offset, Encoding.UTF8.GetString(rec.Key), rec.HasValue ? Encoding.UTF8.GetString(rec.Value) : null));
                    }
                }
                next = batch.NextOffset;
            }
            Assert.True(next > offset, $"no progress reading at offset {offset}");
            offset = next;
        }
        return result;
    }

    [Fact]
    public void Compacted_topic_with_100000_updates_over_1000_keys_keeps_the_latest_value_per_key()
    {
        using var s = new Storage(config: Compacted);
        PartitionLog log = s.Log();
        var latest = new Dictionary<string, (long Offset, string Value)>();
        long offset = 0;
        for (int batch = 0; batch < 1000; batch++)
        {
            var records = new (string, string?)[100];
            for (int i = 0; i < 100; i++)
            {
                int n = batch * 100 + i;
                string key = $"key-{(n * 7919) % 1000}";
                records[i] = (key, $"value-{n}");
                latest[key] = (offset++, $"value-{n}");
            }
            Append(log, Updates(s.NowMs, records));
        }
        log.Roll();
        long before = log.Size;
        int segmentsBefore = log.SegmentCount;

        CleanerStats? stats = s.Manager.Cleaner.CleanOnce();

        Assert.NotNull(stats);
        Assert.Equal(100_000, stats!.RecordsRead);
        Assert.Equal(1000, stats.RecordsKept);
        Assert.True(log.Size < before / 50, $"log is {log.Size} bytes after cleaning, {before} before");
        List<(long Offset, string Key, string? Value)> read = ReadAll(log);
        Assert.Equal(1000, read.Count);
        foreach ((long o, string key, string? value) in read)
        {
            Assert.Equal(latest[key], (o, value!));
        }
        Assert.Equal(100_000, log.LogEndOffset);
        // The checkpoint names the first dirty offset, and a second pass finds nothing dirty.
        Assert.Equal(100_000, s.Manager.Cleaner.FirstDirtyOffset(log.TopicPartition));
        Assert.Contains("t 0 100000", File.ReadAllText(Path.Combine(s.LogDir, LogCleaner.CheckpointFile)), StringComparison.Ordinal);
        Assert.Null(s.Manager.Cleaner.CleanOnce());
        // A forced pass merges the now small segments (groups of up to segment.bytes) and changes nothing else.
        Assert.NotNull(s.Manager.Cleaner.Clean(log));
        Assert.True(log.SegmentCount < segmentsBefore / 4, $"{log.SegmentCount} segments of {segmentsBefore}");
        Assert.Equal(read, ReadAll(log));

        // Survives a restart: same records, offsets and values.
        s.Reopen();
        Assert.Equal(read, ReadAll(s.Log()));
    }

    [Fact]
    public void Tombstones_survive_one_pass_and_vanish_after_delete_retention_ms()
    {
        using var s = new Storage(config: Compacted with { DeleteRetentionMs = 60_000 });
        PartitionLog log = s.Log();
        for (int round = 0; round < 3; round++)
        {
            var records = new (string, string?)[10];
            for (int k = 0; k < 10; k++)
            {
                records[k] = ($"k{k}", $"v{round}-{k}");
            }
            Append(log, Updates(s.NowMs, records));
        }
        Append(log, Updates(s.NowMs, ("k0", null), ("k1", null), ("k2", null)));
        log.Roll();

        Assert.NotNull(s.Manager.Cleaner.CleanOnce());
        List<(long Offset, string Key, string? Value)> first = ReadAll(log);
        Assert.Equal(10, first.Count);
        Assert.Equal(3, first.Count(r => r.Value is null));
        Assert.All(first.Where(r => r.Value is not null), r => Assert.StartsWith("v2-", r.Value, StringComparison.Ordinal));

        // Not yet: the horizon is 60 s after the first pass.
        s.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(s.Manager.Cleaner.CleanOnce());
        Assert.NotNull(s.Manager.Cleaner.Clean(log));
        Assert.Equal(3, ReadAll(log).Count(r => r.Value is null));

        s.Time.Advance(TimeSpan.FromSeconds(31));
        CleanerStats? stats = s.Manager.Cleaner.CleanOnce(); // due by its horizon though nothing is dirty
        Assert.NotNull(stats);
        Assert.Equal(3, stats!.TombstonesDropped);
        List<(long Offset, string Key, string? Value)> after = ReadAll(log, tailMayBeEmpty: true);
        Assert.Equal(7, after.Count);
        Assert.DoesNotContain(after, r => r.Value is null || r.Key is "k0" or "k1" or "k2");
    }

    [Fact]
    public void A_record_without_a_key_is_rejected_by_a_compacted_topic()
    {
        using var s = new Storage(config: Compacted);
        PartitionLog log = s.Log();
        using var b = new RecordBatchBuilder();
        b.Append(s.NowMs, (byte[]?)null, Encoding.UTF8.GetBytes("no key"));
        LogAppendResult r = log.AppendAsLeader(b.Build().ToArray(), 0);
        Assert.Equal(ErrorCode.InvalidRecord, r.Error);
        Assert.Contains("Compacted topic cannot accept message without key", r.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void Cleaning_keeps_offsets_producer_ids_and_compression_and_reads_across_gaps()
    {
        using var s = new Storage(config: Compacted);
        PartitionLog log = s.Log();
        using (var b = new RecordBatchBuilder())
        {
            b.Compression = Protocol.Compression.CompressionType.Lz4;
            b.ProducerId = 42;
            b.ProducerEpoch = 3;
            b.BaseSequence = 0;
            for (int i = 0; i < 20; i++)
            {
                b.Append(s.NowMs, Encoding.UTF8.GetBytes($"k{i % 4}"), Encoding.UTF8.GetBytes($"v{i}"));
            }
            Append(log, b.Build().ToArray());
        }
        Append(log, Updates(s.NowMs, ("other", "x")));
        log.Roll();
        Assert.NotNull(s.Manager.Cleaner.Clean(log));

        List<(long Offset, string Key, string? Value)> read = ReadAll(log);
        Assert.Equal([16L, 17, 18, 19, 20], read.Select(r => r.Offset));
        Assert.Equal(["v16", "v17", "v18", "v19", "x"], read.Select(r => r.Value!));
        // A fetch inside the gap answers from the next offset that is left.
        using LogReadResult gap = log.Read(3, 16 * 1024, log.HighWatermark, minOneMessage: true);
        Assert.NotNull(gap.Region);
        var w = new ArrayBufferWriter<byte>();
        gap.Region!.Value.CopyTo(w);
        var batch = new RecordBatch(w.WrittenSpan);
        Assert.Equal(0, batch.BaseOffset);
        Assert.Equal(42, batch.ProducerId);
        Assert.Equal(3, batch.ProducerEpoch);
        Assert.Equal(0, batch.BaseSequence);
        Assert.Equal(Protocol.Compression.CompressionType.Lz4, batch.CompressionType);
        Assert.Equal(19, batch.LastOffset);
    }

    [Fact]
    public void Leftover_cleaned_files_are_removed_and_a_swap_is_finished_at_load()
    {
        using var crashed = new TempDir();
        string dir;
        List<(long Offset, string Key, string? Value)> expected;
        byte[] cleanedFirstSegment;
        using (var s = new Storage(config: Compacted))
        {
            PartitionLog log = s.Log();
            for (int i = 0; i < 200; i++)
            {
                Append(log, Updates(s.NowMs, ($"k{i % 5}", $"v{i}".PadRight(40, '.'))));
                if (i % 40 == 39)
                {
                    log.Roll(); // several closed segments that one cleaned segment replaces
                }
            }
            log.Roll();
            dir = Path.Combine(s.LogDir, "t-0");
            s.Manager.Close();
            CopyDir(s.LogDir, crashed.Path);
            s.Open();
            log = s.Log();
            CleanerStats stats = s.Manager.Cleaner.Clean(log)!;
            Assert.Equal(2, stats.SegmentsAfter); // the cleaned one and the active one
            expected = ReadAll(log);
            cleanedFirstSegment = File.ReadAllBytes(Path.Combine(dir, LogFileNames.OffsetName(0) + ".log"));
        }

        // The copy looks like a crash between writing the swap and renaming the old segments away.
        string copy = Path.Combine(crashed.Path, "t-0");
        Assert.True(Directory.GetFiles(copy, "*.log").Length > 2);
        File.WriteAllBytes(Path.Combine(copy, LogFileNames.OffsetName(0) + ".log.swap"), cleanedFirstSegment);
        File.WriteAllBytes(Path.Combine(copy, LogFileNames.OffsetName(0) + ".log.cleaned"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(copy, LogFileNames.OffsetName(0) + ".index.cleaned"), [1, 2, 3]);
        File.Delete(Path.Combine(crashed.Path, LogManager.CleanShutdownFile));

        using var reopenedDir = new TempDir();
        using var reopened = new Storage(reopenedDir, config: Compacted);
        reopened.Manager.Close();
        Directory.Delete(reopened.LogDir, recursive: true);
        CopyDir(crashed.Path, reopened.LogDir);
        reopened.Open();
        PartitionLog recovered = reopened.Log();
        Assert.Equal(expected, ReadAll(recovered));
        Assert.Empty(Directory.GetFiles(Path.Combine(reopened.LogDir, "t-0"), "*.cleaned"));
        Assert.Empty(Directory.GetFiles(Path.Combine(reopened.LogDir, "t-0"), "*.swap"));
        Assert.Equal(200, recovered.LogEndOffset);
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
        }
        foreach (string d in Directory.GetDirectories(from))
        {
            CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
        }
    }

    /// <summary>
    /// Readers fetch from the start in a loop while a writer appends and the cleaner swaps segments
    /// over and over: every read must be non-empty, with increasing offsets and the latest value per key.
    /// The record at offset o has key o % Keys and value o, so the expected answer below any end is known.
    /// </summary>
    [Fact]
    public void Concurrent_readers_see_contiguous_increasing_offsets_and_latest_values_while_the_cleaner_swaps()
    {
        const int Keys = 50, PerBatch = 10, BatchCount = 600;
        using var s = new Storage(config: Compacted with { SegmentBytes = 4096, FileDeleteDelayMs = 0 });
        PartitionLog log = s.Log();
        var done = new CancellationTokenSource();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        int cleanings = 0, reads = 0, finalReads = 0;

        Task writer = Task.Run(() =>
        {
            for (int b = 0; b < BatchCount && DateTime.UtcNow < deadline; b++)
            {
                var records = new (string, string?)[PerBatch];
                for (int j = 0; j < PerBatch; j++)
                {
                    long o = (long)b * PerBatch + j;
                    records[j] = ($"k{o % Keys}", o.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                Append(log, Updates(s.NowMs, records));
            }
        });
        Task cleaner = Task.Run(() =>
        {
            while (!done.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                if (s.Manager.Cleaner.Clean(log) is not null)
                {
                    Interlocked.Increment(ref cleanings);
                }
            }
        });
        Task[] readers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!done.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                // While the writer runs, a record below the end may be cleaned away by a newer one
                // above it, so only the shape is checked; once it is done the end is final and every
                // read must also show exactly the latest record of every key.
                bool final = writer.IsCompleted;
                long end = log.HighWatermark;
                if (end < Keys)
                {
                    continue;
                }
                var seen = new Dictionary<string, long>();
                foreach ((long o, string key, string? value) in ReadAll(log, end))
                {
                    Assert.Equal($"k{o % Keys}", key);
                    Assert.Equal(o.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
                    seen[key] = o;
                }
                if (final)
                {
                    Assert.Equal(Keys, seen.Count);
                    for (long o = end - Keys; o < end; o++)
                    {
                        Assert.Equal(o, seen[$"k{o % Keys}"]);
                    }
                    Interlocked.Increment(ref finalReads);
                }
                Interlocked.Increment(ref reads);
            }
        }))];

        writer.Wait();
        int cleaningsAtEnd = Volatile.Read(ref cleanings);
        Wait.Until(() => (Volatile.Read(ref cleanings) >= cleaningsAtEnd + 10 && Volatile.Read(ref finalReads) >= 10) || DateTime.UtcNow > deadline,
            "cleaner passes and reads after the writes", 100_000);
        done.Cancel();
        Task.WaitAll([cleaner, .. readers]);
        Assert.True(cleanings >= 5, $"only {cleanings} cleaner passes");
        Assert.True(reads >= 5, $"only {reads} full reads");
        Assert.True(finalReads >= 1, "no read after the writes ended");
        List<(long Offset, string Key, string? Value)> final = ReadAll(log);
        Assert.True(final.Count < BatchCount * PerBatch / 2);
    }
}
