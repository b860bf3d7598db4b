namespace Samsa.Storage.Tests;

public sealed class TimestampLookupTests
{
    [Fact]
    public void Timestamp_lookups_find_the_first_record_at_or_after_the_time()
    {
        using var s = new Storage(config: LogConfig.Default with { SegmentBytes = 2000, IndexIntervalBytes = 100, MessageTimestampBeforeMaxMs = long.MaxValue });
        PartitionLog log = s.Log();
        long t0 = s.NowMs - 1_000_000;
        // Batch i holds 3 records at t0 + 100*i + {0, 10, 20}: record offset 3i+j has timestamp t0 + 100i + 10j.
        for (int i = 0; i < 60; i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(3, t0 + 100 * i, valueSize: 30, timestampStep: 10), 0).Succeeded);
        }
        Assert.True(log.SegmentCount > 3);
        for (int i = 0; i < 60; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                long ts = t0 + 100 * i + 10 * j;
                OffsetLookupResult exact = log.FetchOffsetByTimestamp(ts);
                Assert.Equal(3L * i + j, exact.Offset);
                Assert.Equal(ts, exact.Timestamp);
                OffsetLookupResult between = log.FetchOffsetByTimestamp(ts + 5);
                long expected = j < 2 ? 3L * i + j + 1 : 3L * (i + 1);
                Assert.Equal(i == 59 && j == 2 ? -1 : expected, between.Offset);
            }
        }
        Assert.Equal(0, log.FetchOffsetByTimestamp(t0 - 1000).Offset);
        Assert.Equal(-1, log.FetchOffsetByTimestamp(t0 + 100_000).Offset);
        Assert.Equal(0, log.FetchOffsetByTimestamp(PartitionLog.EarliestTimestamp).Offset);
        Assert.Equal(180, log.FetchOffsetByTimestamp(PartitionLog.LatestTimestamp).Offset);
        OffsetLookupResult max = log.FetchOffsetByTimestamp(PartitionLog.MaxTimestamp);
        Assert.Equal((179L, t0 + 5900 + 20), (max.Offset, max.Timestamp));

        s.Reopen();
        Assert.Equal(3L * 17 + 1, s.Log().FetchOffsetByTimestamp(t0 + 1700 + 5).Offset);
        Assert.Equal(179, s.Log().FetchOffsetByTimestamp(PartitionLog.MaxTimestamp).Offset);
    }

    [Fact]
    public void Timestamp_lookups_find_the_exact_record_inside_compressed_batches()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        long t0 = s.NowMs - 10_000;
        log.AppendAsLeader(Batches.Make(5, t0, timestampStep: 100, compression: Samsa.Protocol.Compression.CompressionType.Lz4), 0);
        log.AppendAsLeader(Batches.Make(5, t0 + 1000, timestampStep: 100, compression: Samsa.Protocol.Compression.CompressionType.Zstd), 0);
        Assert.Equal(3, log.FetchOffsetByTimestamp(t0 + 250).Offset);
        Assert.Equal((7L, t0 + 1200), (log.FetchOffsetByTimestamp(t0 + 1200).Offset, log.FetchOffsetByTimestamp(t0 + 1200).Timestamp));
        Assert.Equal((9L, t0 + 1400), (log.FetchOffsetByTimestamp(PartitionLog.MaxTimestamp).Offset, log.FetchOffsetByTimestamp(PartitionLog.MaxTimestamp).Timestamp));
    }

    [Fact]
    public void Max_timestamp_finds_the_record_even_when_it_is_not_last()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        long now = s.NowMs;
        log.AppendAsLeader(Batches.Make(2, now - 500), 0);
        log.AppendAsLeader(Batches.Make(3, now - 100, timestampStep: 30), 0); // 2..4 at now-100, -70, -40
        log.AppendAsLeader(Batches.Make(2, now - 900), 0);
        OffsetLookupResult max = log.FetchOffsetByTimestamp(PartitionLog.MaxTimestamp);
        Assert.Equal((4L, now - 40), (max.Offset, max.Timestamp));
        Assert.Equal(-1, s.Log("empty").FetchOffsetByTimestamp(PartitionLog.MaxTimestamp).Offset);
        Assert.Equal(0, s.Log("empty").FetchOffsetByTimestamp(PartitionLog.LatestTimestamp).Offset);
    }
}
