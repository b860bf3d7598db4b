using System.Text;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;
using Record = Samsa.Protocol.Records.Record;

namespace Samsa.Protocol.Tests.Records;

public class RecordBatchRoundTripTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void BuiltBatchReadsBackWithEveryField(CompressionType codec)
    {
        List<TestRecord> records = TestData.Records(500, seed: 3);
        byte[] bytes = TestData.BuildWithSamsa(records, codec, b =>
        {
            b.ProducerId = 77;
            b.ProducerEpoch = 2;
            b.BaseSequence = 10;
            b.PartitionLeaderEpoch = 5;
        });

        var batch = new RecordBatch(bytes);
        batch.Validate();
        Assert.Equal(bytes.Length, batch.SizeInBytes);
        Assert.Equal(2, batch.Magic);
        Assert.Equal(codec, batch.CompressionType);
        Assert.Equal(TimestampType.CreateTime, batch.TimestampType);
        Assert.Equal(5, batch.PartitionLeaderEpoch);
        Assert.Equal(499, batch.LastOffsetDelta);
        Assert.Equal(500, batch.NextOffset);
        Assert.Equal(records[0].Timestamp, batch.BaseTimestamp);
        Assert.Equal(records.Max(r => r.Timestamp), batch.MaxTimestamp);
        KafkaPythonCrossCheckTests.AssertSame(records, TestData.ReadWithSamsa(bytes));
    }

    [Fact]
    public void NullAndEmptyKeysAndValuesStayDistinct()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1, (byte[]?)null, null);
        builder.Append(2, [], []);
        builder.Append(3, "k"u8, false, "v"u8, true);
        builder.Append(4, "k"u8, true, default, false);
        var batch = new RecordBatch(builder.Build().Span);
        var seen = new List<(bool, bool, int, int)>();
        foreach (Record r in batch)
        {
            seen.Add((r.HasKey, r.HasValue, r.Key.Length, r.Value.Length));
        }
        Assert.Equal([(false, false, 0, 0), (true, true, 0, 0), (false, true, 0, 1), (true, false, 1, 0)], seen);
    }

    [Fact]
    public void HeadersAreIteratedLazilyWithNullValues()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(10, "key"u8, "value"u8, [new Header("a", [1]), new Header("ключ", null), new Header("", [])]);
        var batch = new RecordBatch(builder.Build().Span);
        using RecordEnumerator records = batch.GetRecords();
        Assert.True(records.MoveNext());
        Record record = records.Current;
        Assert.Equal(3, record.HeaderCount);
        var headers = new List<(string, string?)>();
        foreach (RecordHeader h in record.Headers)
        {
            headers.Add((h.KeyString, h.HasValue ? Convert.ToHexString(h.Value) : null));
        }
        Assert.Equal([("a", "01"), ("ключ", null), ("", "")], headers);
        Assert.False(records.MoveNext());
    }

    [Fact]
    public void BatchesLaidEndToEndAreEnumeratedAndAPartialTailIsLeftOver()
    {
        var all = new List<byte>();
        for (int i = 0; i < 3; i++)
        {
            int baseOffset = i * 100;
            all.AddRange(TestData.BuildWithSamsa(TestData.Records(5, i).Select(r => r with { Offset = r.Offset + baseOffset }), CompressionType.Lz4, b => b.BaseOffset = baseOffset));
        }
        byte[] whole = all.ToArray();
        byte[] withPartial = [.. whole, .. TestData.BuildWithSamsa(TestData.Records(5, 9), CompressionType.None).AsSpan(0, 30)];

        var baseOffsets = new List<long>();
        RecordBatchEnumerator batches = RecordBatch.Enumerate(withPartial);
        while (batches.MoveNext())
        {
            batches.Current.Validate();
            baseOffsets.Add(batches.Current.BaseOffset);
        }
        Assert.Equal([0L, 100L, 200L], baseOffsets);
        Assert.Equal(30, batches.Remaining.Length);
    }

    [Fact]
    public void LogAppendTimeGivesEveryRecordTheBatchMaxTimestamp()
    {
        byte[] bytes = TestData.BuildWithSamsa(TestData.Records(10, 1), CompressionType.None);
        RecordBatch.SetLogAppendTime(bytes, 1_800_000_000_000);
        var batch = new RecordBatch(bytes);
        batch.Validate(); // the CRC was fixed
        Assert.Equal(TimestampType.LogAppendTime, batch.TimestampType);
        foreach (Record r in batch)
        {
            Assert.Equal(1_800_000_000_000, r.Timestamp);
        }
    }

    [Fact]
    public void BaseOffsetAndLeaderEpochChangeInPlaceWithoutBreakingTheCrc()
    {
        byte[] bytes = TestData.BuildWithSamsa(TestData.Records(10, 1), CompressionType.Gzip);
        RecordBatchHeader.SetBaseOffset(bytes, 5000);
        RecordBatchHeader.SetPartitionLeaderEpoch(bytes, 9);
        var batch = new RecordBatch(bytes);
        batch.Validate();
        long expected = 5000;
        foreach (Record r in batch)
        {
            Assert.Equal(expected++, r.Offset);
        }
    }

    [Theory]
    [InlineData(ControlRecordType.Commit)]
    [InlineData(ControlRecordType.Abort)]
    public void TransactionMarkerBatchRoundTrips(ControlRecordType type)
    {
        byte[] bytes = new EndTransactionMarker(type, CoordinatorEpoch: 17).ToBatch(producerId: 1234, producerEpoch: 5, timestamp: 999, baseOffset: 42, partitionLeaderEpoch: 3);
        var batch = new RecordBatch(bytes);
        batch.Validate();
        Assert.True(batch.IsControl);
        Assert.True(batch.IsTransactional);
        Assert.Equal(1234, batch.ProducerId);
        Assert.Equal((short)5, batch.ProducerEpoch);
        Assert.Equal(-1, batch.BaseSequence);
        Assert.Equal(1, batch.RecordCount);
        Assert.Equal(42, batch.BaseOffset);
        foreach (Record r in batch)
        {
            Assert.Equal(type, ControlRecord.ReadType(r.Key));
            Assert.Equal(new EndTransactionMarker(type, 17), EndTransactionMarker.Read(r));
            Assert.Equal(999, r.Timestamp);
        }
    }

    [Fact]
    public void TransactionMarkerMatchesKafkasLayout()
    {
        byte[] bytes = new EndTransactionMarker(ControlRecordType.Commit, 0x01020304).ToBatch(1, 0, 0);
        var batch = new RecordBatch(bytes);
        Assert.Equal(0x30, batch.Attributes); // transactional | control
        using RecordEnumerator records = batch.GetRecords();
        Assert.True(records.MoveNext());
        Assert.Equal("00000001", Convert.ToHexString(records.Current.Key));           // version 0, type COMMIT
        Assert.Equal("000001020304", Convert.ToHexString(records.Current.Value));     // version 0, coordinator epoch
    }

    [Fact]
    public void ControlKeysWithABadVersionOrLengthAreCorrupt()
    {
        Assert.Throws<CorruptRecordException>(() => ControlRecord.ReadType([0, 0, 1]));
        Assert.Throws<CorruptRecordException>(() => ControlRecord.ReadType([0xff, 0xff, 0, 1]));
        Assert.Throws<CorruptRecordException>(() => EndTransactionMarker.Read([0, 0, 0, 2], [0, 0, 0, 0, 0, 1]));
        Assert.Throws<CorruptRecordException>(() => EndTransactionMarker.Read([0, 0, 0, 1], [0, 0, 0]));
    }

    [Fact]
    public void BuilderIsReusableAfterReset()
    {
        using var builder = new RecordBatchBuilder(64);
        for (int round = 0; round < 3; round++)
        {
            builder.Reset();
            builder.Compression = round == 1 ? CompressionType.Zstd : CompressionType.None;
            for (int i = 0; i < 100 * (round + 1); i++)
            {
                builder.Append(i, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}-{round}"));
            }
            var batch = new RecordBatch(builder.Build().Span);
            batch.Validate();
            int n = 0;
            foreach (Record r in batch)
            {
                Assert.Equal($"v{n}-{round}", Encoding.UTF8.GetString(r.Value));
                n++;
            }
            Assert.Equal(100 * (round + 1), n);
        }
        Assert.Throws<InvalidOperationException>(() => builder.Append(1, [1], [1]));
    }

    [Fact]
    public void BuildingAnEmptyBatchOrAppendingBackwardsIsRefused()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
        builder.AppendWithOffset(5, 0, null, [1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AppendWithOffset(5, 0, null, [1]));
    }

    [Fact]
    public void EstimatedRecordSizeIsAnUpperBound()
    {
        using var builder = new RecordBatchBuilder();
        Header[] headers = [new("h", [1, 2, 3])];
        int before = builder.SizeInBytes;
        builder.Append(123456789, new byte[300], new byte[5000], headers);
        Assert.InRange(builder.SizeInBytes - before, 1, RecordBatchBuilder.EstimateRecordSize(300, 5000, headers));
    }

    [Fact]
    public void DisposingACopiedEnumeratorTwiceDoesNotHandItsBufferToAnotherBatch()
    {
        List<TestRecord> first = TestData.Records(50, 1);
        List<TestRecord> second = TestData.Records(50, 2);
        byte[] a = TestData.BuildWithSamsa(first, CompressionType.Zstd);
        byte[] b = TestData.BuildWithSamsa(second, CompressionType.Zstd);

        RecordEnumerator enumeratorA = new RecordBatch(a).GetRecords();
        foreach (Record _ in enumeratorA) // foreach disposes its copy of the enumerator
        {
        }
        using RecordEnumerator enumeratorB = new RecordBatch(b).GetRecords();
        enumeratorA.Dispose(); // the stale original must not return B's buffer
        _ = new RecordBatch(a).GetRecords(); // would overwrite B's records if it had
        var seen = new List<TestRecord>();
        foreach (Record r in enumeratorB)
        {
            seen.Add(TestRecord.From(r));
        }
        KafkaPythonCrossCheckTests.AssertSame(second, seen);
    }

    [Fact]
    public void RewritingReadRecordsKeepsOffsetGapsAndNulls()
    {
        List<TestRecord> records = TestData.Records(30, 4).Where(r => r.Offset % 4 != 2).Select(r => r with { Offset = r.Offset + 500 }).ToList();
        byte[] source = TestData.BuildWithSamsa(records, CompressionType.Gzip, b => b.BaseOffset = 500);

        using var builder = new RecordBatchBuilder { Compression = CompressionType.Snappy, BaseOffset = 500 };
        foreach (Record r in new RecordBatch(source))
        {
            var headers = new List<Header>();
            foreach (RecordHeader h in r.Headers)
            {
                headers.Add(new Header(h.KeyString, h.HasValue ? h.Value.ToArray() : null));
            }
            builder.AppendWithOffset(r.Offset, r.Timestamp, r.Key, r.HasKey, r.Value, r.HasValue, headers.ToArray());
        }
        KafkaPythonCrossCheckTests.AssertSame(records, TestData.ReadWithSamsa(builder.Build().Span));
    }
}
