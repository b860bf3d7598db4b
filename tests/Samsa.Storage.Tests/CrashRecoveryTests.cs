using Samsa.Protocol.Records;

using Samsa.Protocol;

namespace Samsa.Storage.Tests;

/// <summary>
/// Damage a closed log the way a crash or a bad disk would, reopen it as after an unclean stop, and
/// check that every complete batch before the damage is kept, nothing after it, and that one log
/// line names the file and the offset where the log was cut.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private static readonly LogConfig Config = LogConfig.Default with { SegmentBytes = 6000, IndexIntervalBytes = 300, MessageTimestampBeforeMaxMs = long.MaxValue };

    private readonly TempDir _template = new();
    private readonly List<StoredRecord> _records;
    private readonly string _lastSegment;
    private readonly List<(long Position, int Size, long BaseOffset)> _lastBatches = [];

    public CrashRecoveryTests()
    {
        using (var s = new Storage(_template, Config))
        {
            PartitionLog log = s.Log();
            var rnd = new Random(11);
            for (int i = 0; i < 60; i++)
            {
                Assert.True(log.AppendAsLeader(Batches.Make(rnd.Next(1, 5), s.NowMs + i, prefix: $"b{i}", valueSize: rnd.Next(10, 200)), 0).Succeeded);
            }
            Assert.True(log.SegmentCount >= 3);
            _records = LogReading.ReadAll(log);
        }
        string dir = Path.Combine(_template.Path, "logs", "t-0");
        _lastSegment = Directory.GetFiles(dir, "*.log").Order(StringComparer.Ordinal).Last();
        byte[] bytes = File.ReadAllBytes(_lastSegment);
        int pos = 0;
        foreach (RecordBatch b in RecordBatch.Enumerate(bytes))
        {
            _lastBatches.Add((pos, b.SizeInBytes, b.BaseOffset));
            pos += b.SizeInBytes;
        }
        Assert.Equal(bytes.Length, pos);
        Assert.True(_lastBatches.Count > 5);
    }

    public void Dispose() => _template.Dispose();

    /// <summary>A copy of the closed template log, damaged by <paramref name="damage"/>, then reopened uncleanly.</summary>
    private (Storage Storage, PartitionLog Log) Reopen(TempDir copy, Action<string> damage)
    {
        CopyDirectory(Path.Combine(_template.Path, "logs"), copy.Sub("logs"));
        var s = new Storage(copy, Config);
        s.Manager.Close();
        damage(Path.Combine(copy.Sub("logs"), "t-0", Path.GetFileName(_lastSegment)));
        s.MakeUnclean();
        s.Open();
        return (s, s.Log());
    }

    private void AssertKeptUpTo(PartitionLog log, long expectedEnd)
    {
        Assert.Equal(expectedEnd, log.LogEndOffset);
        Assert.Equal(_records.Where(r => r.Offset < expectedEnd).ToList(), LogReading.ReadAll(log));
        // The log accepts appends again right after the last kept batch.
        Assert.Equal(expectedEnd, log.AppendAsLeader(Batches.Make(1, Storage.Start.ToUnixTimeMilliseconds()), 0).BaseOffset);
    }

    private static void AssertOneDropLine(Storage s, string file, long offset)
    {
        List<string> warnings = s.Logs.Warnings;
        Assert.True(warnings.Count == 1, string.Join("\n", warnings));
        Assert.Contains(Path.GetFileName(file), warnings[0]);
        Assert.Contains($"offset {offset}", warnings[0]);
    }

    [Fact]
    public void Truncating_the_log_at_any_byte_keeps_every_complete_batch_before_it()
    {
        var rnd = new Random(1);
        long fileSize = new FileInfo(_lastSegment).Length;
        var cuts = new List<long> { 0, 1, 11, 12, 60, 61, fileSize - 1 };
        for (int i = 0; i < 120; i++)
        {
            cuts.Add(rnd.NextInt64(0, fileSize));
        }
        cuts.AddRange(_lastBatches.Select(b => b.Position)); // exactly on boundaries: nothing to drop
        foreach (long cut in cuts)
        {
            using var copy = new TempDir();
            (Storage s, PartitionLog log) = Reopen(copy, path =>
            {
                using var fs = new FileStream(path, FileMode.Open);
                fs.SetLength(cut);
            });
            using (s)
            {
                int kept = _lastBatches.Count(b => b.Position + b.Size <= cut);
                long expectedEnd = kept < _lastBatches.Count ? _lastBatches[kept].BaseOffset : _records.Count;
                AssertKeptUpTo(log, expectedEnd);
                bool onBoundary = _lastBatches.Any(b => b.Position == cut);
                if (onBoundary)
                {
                    Assert.Empty(s.Logs.Warnings);
                }
                else
                {
                    AssertOneDropLine(s, _lastSegment, expectedEnd);
                }
            }
        }
    }

    [Fact]
    public void Garbage_after_the_last_batch_is_dropped()
    {
        var rnd = new Random(2);
        for (int i = 0; i < 40; i++)
        {
            byte[] garbage = new byte[rnd.Next(1, 400)];
            rnd.NextBytes(garbage);
            if (i % 4 == 0)
            {
                Array.Clear(garbage); // zeros, as a preallocated or torn page would leave
            }
            using var copy = new TempDir();
            (Storage s, PartitionLog log) = Reopen(copy, path =>
            {
                using var fs = new FileStream(path, FileMode.Append);
                fs.Write(garbage);
            });
            using (s)
            {
                AssertKeptUpTo(log, _records.Count);
                AssertOneDropLine(s, _lastSegment, _records.Count);
            }
        }
    }

    [Fact]
    public void A_corrupt_crc_in_the_tail_drops_that_batch_and_everything_after_it()
    {
        var rnd = new Random(3);
        for (int i = 0; i < 60; i++)
        {
            int k = rnd.Next(0, _lastBatches.Count);
            (long pos, int size, long baseOffset) = _lastBatches[k];
            long at = pos + RecordBatchLayout.AttributesOffset + rnd.Next(0, size - RecordBatchLayout.AttributesOffset);
            using var copy = new TempDir();
            (Storage s, PartitionLog log) = Reopen(copy, path =>
            {
                using var fs = new FileStream(path, FileMode.Open);
                fs.Position = at;
                int b = fs.ReadByte();
                fs.Position = at;
                fs.WriteByte((byte)(b ^ (1 << rnd.Next(8))));
            });
            using (s)
            {
                AssertKeptUpTo(log, baseOffset);
                AssertOneDropLine(s, _lastSegment, baseOffset);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Deleted_or_corrupt_index_files_are_rebuilt(bool clean)
    {
        var rnd = new Random(4);
        for (int i = 0; i < 10; i++)
        {
            using var copy = new TempDir();
            CopyDirectory(Path.Combine(_template.Path, "logs"), copy.Sub("logs"));
            string dir = Path.Combine(copy.Sub("logs"), "t-0");
            foreach (string f in Directory.GetFiles(dir).Where(f => f.EndsWith(".index", StringComparison.Ordinal) || f.EndsWith(".timeindex", StringComparison.Ordinal)))
            {
                switch (rnd.Next(3))
                {
                    case 0: File.Delete(f); break;
                    case 1: File.WriteAllBytes(f, [1, 2, 3, 4, 5]); break; // not a whole number of entries
                    default: break;
                }
            }
            using var s = new Storage(copy, Config);
            if (!clean)
            {
                s.Manager.Close();
                s.MakeUnclean();
                s.Open();
            }
            PartitionLog log = s.Log();
            Assert.Equal(_records.Count, log.LogEndOffset);
            AppendReadTests.AssertEveryOffsetFound(log);
            Assert.Equal(_records, LogReading.ReadAll(log));
            Assert.Empty(s.Logs.Warnings);
            long ts = _records[_records.Count / 2].Timestamp;
            Assert.Equal(_records.First(r => r.Timestamp >= ts).Offset, log.FetchOffsetByTimestamp(ts).Offset);
        }
    }

    [Fact]
    public void Corruption_inside_a_closed_segment_takes_only_that_partition_offline()
    {
        using var copy = new TempDir();
        CopyDirectory(Path.Combine(_template.Path, "logs"), copy.Sub("logs"));
        // A second, healthy partition next to it.
        using (var s0 = new Storage(copy, Config))
        {
            s0.Log("other").AppendAsLeader(Batches.Make(3, s0.NowMs), 0);
        }
        string dir = Path.Combine(copy.Sub("logs"), "t-0");
        string first = Directory.GetFiles(dir, "*.log").Order(StringComparer.Ordinal).First();
        byte[] bytes = File.ReadAllBytes(first);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(first, bytes);

        using var s = new Storage(copy, Config);
        s.Manager.Close();
        s.MakeUnclean();
        s.Open();

        PartitionLog bad = s.Log();
        Assert.True(bad.IsOffline);
        Assert.Contains(Path.GetFileName(first), bad.OfflineReason);
        Assert.Equal(ErrorCode.KafkaStorageError, bad.AppendAsLeader(Batches.Make(1, s.NowMs), 0).Error);
        using (LogReadResult r = bad.Read(0, 100, 10, true))
        {
            Assert.Equal(ErrorCode.KafkaStorageError, r.Error);
        }
        Assert.Equal(ErrorCode.KafkaStorageError, bad.FetchOffsetByTimestamp(-2).Error);
        var ex = Assert.Throws<KafkaStorageException>(() => bad.LogEndOffset);
        Assert.Contains("offline", ex.Message);
        // The damaged file was left as it was for inspection.
        Assert.Equal(bytes, File.ReadAllBytes(first));

        PartitionLog other = s.Log("other");
        Assert.False(other.IsOffline);
        Assert.Equal(3, other.LogEndOffset);
        Assert.True(other.AppendAsLeader(Batches.Make(2, s.NowMs), 0).Succeeded);
        Assert.Equal(5, LogReading.ReadAll(other).Count);

        // A restart does not quietly bring the damaged partition back.
        s.Reopen();
        Assert.False(s.Manager.HadCleanShutdown);
        Assert.True(s.Log().IsOffline);
        Assert.Equal(5, s.Log("other").LogEndOffset);
    }

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
        foreach (string d in Directory.GetDirectories(from))
        {
            CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
        }
    }
}
