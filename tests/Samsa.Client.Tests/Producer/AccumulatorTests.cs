using System.Text;
using Samsa.Client.Producer;
using Samsa.Protocol.Compression;
using PCodec = Samsa.Protocol.Compression.CompressionType;
using Samsa.Protocol.Records;

namespace Samsa.Client.Tests.Producer;

public class AccumulatorTests
{
    private static readonly TopicPartition Tp0 = new("t", 0);

    private static long Far => DateTimeOffset.UtcNow.AddMinutes(1).UtcTicks;

    private static void Append(RecordAccumulator acc, TopicPartition tp, string? key, string? value, long ts = 1000, Headers? headers = null, object? handler = null)
    {
        var k = key is null ? null : Encoding.UTF8.GetBytes(key);
        var v = value is null ? null : Encoding.UTF8.GetBytes(value);
        acc.Append(tp, ts, k, k?.Length ?? -1, v, v?.Length ?? -1, headers, handler, Far);
    }

    [Theory]
    [InlineData(PCodec.None)]
    [InlineData(PCodec.Gzip)]
    [InlineData(PCodec.Snappy)]
    [InlineData(PCodec.Lz4)]
    [InlineData(PCodec.Zstd)]
    public void Sealed_batch_decodes_with_keys_values_headers_and_timestamps(PCodec codec)
    {
        var acc = new RecordAccumulator(16384, 1 << 20, 0, 5, TimeProvider.System);
        Append(acc, Tp0, "k1", "v1", 1000, new Headers().Add("h", [1, 2]).Add("n", null));
        Append(acc, Tp0, null, "v2", 999);
        Append(acc, Tp0, "k3", null, 1005);
        var batch = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, producerId: 7, producerEpoch: 2));
        batch.Seal(codec == PCodec.None ? null : CompressionCodecs.Get(codec));

        var decoded = new RecordBatch(batch.Sealed.Span);
        decoded.Validate();
        Assert.Equal(7, decoded.ProducerId);
        Assert.Equal(2, decoded.ProducerEpoch);
        Assert.Equal(0, decoded.BaseSequence);
        Assert.Equal(3, decoded.RecordCount);
        Assert.Equal(1005, decoded.MaxTimestamp);
        Assert.Equal(codec, decoded.CompressionType);
        var rows = new List<(string? Key, string? Value, long Ts, int Headers)>();
        foreach (var r in decoded.GetRecords())
        {
            rows.Add((r.HasKey ? Encoding.UTF8.GetString(r.Key) : null, r.HasValue ? Encoding.UTF8.GetString(r.Value) : null, r.Timestamp, r.HeaderCount));
        }
        Assert.Equal([("k1", "v1", 1000L, 2), (null, "v2", 999L, 0), ("k3", null, 1005L, 0)], rows);
    }

    [Fact]
    public void A_full_batch_starts_a_new_one_and_only_the_first_batch_per_partition_drains()
    {
        var acc = new RecordAccumulator(200, 1 << 20, 0, 5, TimeProvider.System);
        for (var i = 0; i < 20; i++) Append(acc, Tp0, null, new string('x', 30));
        Assert.True(acc.QueueLength(Tp0) > 1);
        var first = acc.Drain(0, _ => 0, 1 << 20, 0, -1, -1);
        Assert.Single(first);
        Assert.True(first[0].SizeInBytes <= 200);
    }

    [Fact]
    public void Sequences_are_assigned_at_drain_and_a_retry_waits_for_in_flight_batches()
    {
        var acc = new RecordAccumulator(100, 1 << 20, 0, 5, TimeProvider.System);
        for (var i = 0; i < 6; i++) Append(acc, Tp0, null, new string('x', 40));
        var b1 = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 0));
        var b2 = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 0));
        Assert.Equal(0, b1.BaseSequence);
        Assert.Equal(b1.RecordCount, b2.BaseSequence);

        // b1 fails: it goes back first; while b2 is in flight nothing drains.
        acc.Requeue(b1, 0);
        Assert.Empty(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 0));
        acc.Requeue(b2, 0);
        var retry1 = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 0));
        Assert.Same(b1, retry1);
        Assert.Empty(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 0));
        acc.Release(retry1, wasInFlight: true);
        Assert.Same(b2, Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 0)));
    }

    [Fact]
    public void Epoch_reset_restarts_sequences_for_queued_batches()
    {
        var acc = new RecordAccumulator(100, 1 << 20, 0, 5, TimeProvider.System);
        for (var i = 0; i < 4; i++) Append(acc, Tp0, null, new string('x', 40));
        var b1 = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 0));
        acc.Requeue(b1, 0);
        acc.ResetSequences();
        var again = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, 1, 1));
        Assert.Equal(0, again.BaseSequence);
        Assert.Equal(1, again.ProducerEpoch);
    }

    [Fact]
    public void Full_buffer_memory_blocks_then_fails_after_the_deadline()
    {
        var acc = new RecordAccumulator(1024, 2048, 0, 5, TimeProvider.System);
        Append(acc, new TopicPartition("t", 0), null, "a");
        Append(acc, new TopicPartition("t", 1), null, "b");
        var deadline = DateTimeOffset.UtcNow.AddMilliseconds(100).UtcTicks;
        var e = Assert.Throws<KafkaTimeoutException>(() =>
            acc.Append(new TopicPartition("t", 2), 0, default, -1, "c"u8, 1, null, null, deadline));
        Assert.Contains("buffer.memory", e.Message, StringComparison.Ordinal);
        Assert.True(e.IsRetriable);
    }

    [Fact]
    public void Released_memory_unblocks_a_waiting_append()
    {
        var acc = new RecordAccumulator(1024, 1024, 0, 5, TimeProvider.System);
        Append(acc, Tp0, null, "a");
        var waiting = Task.Run(() => Append(acc, new TopicPartition("t", 1), null, "b"));
        var batch = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, -1, -1));
        acc.Release(batch, wasInFlight: true);
        Assert.True(waiting.Wait(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_waiting_allocation_gets_a_single_released_buffer_while_the_rest_of_buffer_memory_stays_held()
    {
        // Waiters are woken in bulk (a sixteenth of buffer.memory free); one free buffer must still
        // reach them, e.g. when the other batches belong to a partition without a leader.
        var pool = new BufferPool(32 * 1024, 1024);
        var held = new List<byte[]>();
        var far = DateTimeOffset.UtcNow.AddMinutes(1).UtcTicks;
        for (var i = 0; i < 32; i++) held.Add(pool.Allocate(1024, far, TimeProvider.System));
        var waiting = Task.Run(() => pool.Allocate(1024, DateTimeOffset.UtcNow.AddSeconds(30).UtcTicks, TimeProvider.System));
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!pool.HasWaiters && DateTime.UtcNow < until) Thread.Yield();
        Assert.False(waiting.IsCompleted);
        pool.Deallocate(held[0]);
        Assert.True(waiting.Wait(TimeSpan.FromSeconds(10)));
        Assert.Same(held[0], waiting.Result);
    }

    [Fact]
    public void Waiting_allocations_all_proceed_once_enough_memory_is_released()
    {
        var pool = new BufferPool(32 * 1024, 1024);
        var held = new List<byte[]>();
        var far = DateTimeOffset.UtcNow.AddMinutes(1).UtcTicks;
        for (var i = 0; i < 32; i++) held.Add(pool.Allocate(1024, far, TimeProvider.System));
        var waiting = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => pool.Allocate(1024, DateTimeOffset.UtcNow.AddSeconds(30).UtcTicks, TimeProvider.System)))
            .ToArray();
        foreach (var b in held) pool.Deallocate(b);
        Assert.True(Task.WaitAll(waiting, TimeSpan.FromSeconds(10)));
        Assert.Equal(4, waiting.Select(t => t.Result).Distinct().Count());
    }

    [Fact]
    public void Append_asks_to_wake_the_sender_only_while_the_partition_has_a_free_in_flight_slot()
    {
        // With every slot taken nothing can be sent before an answer, and that answer drains the partition.
        var acc = new RecordAccumulator(100, 1 << 20, 0, 2, TimeProvider.System);
        bool Add(TopicPartition tp) => acc.Append(tp, 0, default, -1, new byte[60], 60, null, null, Far);
        Assert.True(Add(Tp0));                        // a new batch
        var first = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, -1, -1));
        Assert.True(Add(Tp0));                        // a new batch, one slot still free
        var second = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, -1, -1));
        Assert.False(Add(Tp0));                       // a new batch, both slots taken
        Assert.False(Add(Tp0));                       // full, a third one started
        Assert.True(Add(new TopicPartition("t", 1))); // another partition, nothing in flight
        acc.Release(first, wasInFlight: true);
        Assert.True(Add(Tp0));                        // a slot is free again
        acc.Release(second, wasInFlight: true);
    }

    [Fact]
    public void Completion_reports_offsets_per_record_and_flush_waits_for_it()
    {
        var acc = new RecordAccumulator(16384, 1 << 20, 0, 5, TimeProvider.System);
        var reports = new List<DeliveryReport>();
        Action<DeliveryReport> cb = reports.Add;
        var tcs = new TaskCompletionSource<RecordMetadata>();
        Append(acc, Tp0, null, "a", 5, handler: cb);
        Append(acc, Tp0, null, "b", 6, handler: tcs);
        var flush = acc.FlushAsync();
        Assert.False(flush.IsCompleted);
        var batch = Assert.Single(acc.Drain(0, _ => 0, 1 << 20, 0, -1, -1));
        batch.Complete(100, -1, null);
        acc.Release(batch, true);
        Assert.True(flush.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(100, reports.Single().Metadata.Offset);
        Assert.Equal(101, tcs.Task.Result.Offset);
        Assert.Equal(6, tcs.Task.Result.Timestamp.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Sticky_partitioner_switches_after_batch_size_bytes()
    {
        var p = new StickyPartitioner(100, adaptive: false);
        int[] available = [0, 1, 2, 3];
        var first = p.Partition("t", 4, available, null);
        Assert.Equal(first, p.Partition("t", 4, available, null));
        p.OnAppend("t", first, 100);
        Assert.NotEqual(first, p.Partition("t", 4, available, null));
    }

    [Fact]
    public void Sticky_partitioner_uses_only_available_partitions_and_favours_short_queues()
    {
        var p = new StickyPartitioner(1, adaptive: true);
        int[] available = [1, 3];
        var counts = new int[4];
        for (var i = 0; i < 200; i++)
        {
            var chosen = p.Partition("t", 4, available, (_, q) => q == 1 ? 10 : 0);
            counts[chosen]++;
            p.OnAppend("t", chosen, 10);
        }
        Assert.Equal(0, counts[0] + counts[2]);
        Assert.True(counts[3] > counts[1]);
    }

    [Fact]
    public void Keyed_partition_matches_kafka_murmur2()
    {
        // Kafka: Utils.toPositive(Utils.murmur2("foobar".getBytes())) % partitions.
        Assert.Equal((-790332482 & 0x7fffffff) % 12, Samsa.Protocol.Partitioning.Murmur2.Partition("foobar"u8, 12));
    }
}
