using System.Buffers;
using System.Diagnostics;
using Samsa.Protocol.Records;
using Samsa.Storage;

namespace Samsa.Benchmarks.Storage;

/// <summary>
/// The storage figures that need whole files rather than microbenchmarks: append throughput of 16 KiB
/// batches next to a plain FileStream write of the same bytes (same run, alternating 1 MiB rounds, by
/// wall time and by the thread's CPU time), read throughput of file regions, recovery time of an
/// unflushed log, and open time and memory for 10,000 partitions. Run with:
/// <c>dotnet run -c Release --project bench/Samsa.Benchmarks -- storage [appendMiB] [recoveryMiB] [partitions]</c>
/// </summary>
internal static class StorageBench
{
    public static void Run(string[] args)
    {
        int appendMiB = IntArg(args, 1, 128);
        int recoveryMiB = IntArg(args, 2, 256);
        int partitions = IntArg(args, 3, 10_000);
        string root = Path.Combine(Path.GetTempPath(), "samsa-storage-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {Environment.OSVersion}");
            AppendAndRead(root, appendMiB);
            Recovery(root, recoveryMiB);
            ManyPartitions(root, partitions);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Command-line argument <paramref name="index"/> as an int, or <paramref name="fallback"/> when absent.</summary>
    internal static int IntArg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;

    /// <summary>One uncompressed batch of exactly 16 KiB (the Java client's default batch.size).</summary>
    internal static byte[] Batch16K()
    {
        using var b = new RecordBatchBuilder(32 * 1024);
        var rnd = new Random(1);
        byte[] value = new byte[1000];
        while (b.SizeInBytes + 2 * 1024 <= 16 * 1024)
        {
            rnd.NextBytes(value);
            b.Append(1_700_000_000_000, "key-0000"u8, value);
        }
        // One last record fills the batch to exactly 16 KiB (record framing takes ~20 bytes).
        byte[] last = new byte[16 * 1024 - b.SizeInBytes - 20];
        rnd.NextBytes(last);
        b.Append(1_700_000_000_000, "key-0000"u8, last);
        byte[] batch = b.Build().ToArray();
        return batch;
    }

    private static void AppendAndRead(string root, int mib)
    {
        byte[] batch = Batch16K();
        const int ChunkBatches = 64; // 1 MiB
        int chunks = Math.Max(2, (int)((long)mib * 1024 * 1024 / batch.Length / ChunkBatches));
        int count = chunks * ChunkBatches;
        double bytes = (double)count * batch.Length;
        Console.WriteLine($"\n## append: {count} batches of {batch.Length} bytes ({bytes / (1 << 20):F0} MiB each way), page cache, no fsync;");
        Console.WriteLine("   1 MiB chunks alternate between AppendAsLeader and FileStream.Write (in turn first) so both see the same machine load");
        string dir = Path.Combine(root, "append");
        string file = Path.Combine(root, "plain.bin");
        using LogManager m = LogManager.Open(new LogManagerOptions { LogDir = dir, StartScheduler = false });
        PartitionLog log = m.GetOrCreateLog("bench", 0, Guid.NewGuid(), LogConfig.Default with { MessageTimestampAfterMaxMs = long.MaxValue, MessageTimestampBeforeMaxMs = long.MaxValue });
        using var fs = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 4096);
        // Warm-up, not timed: long enough for the tiered JIT to reach its optimized code for the hot
        // loops (CRC, record walk), which on a loaded machine takes a second or more; a broker
        // serving for minutes runs that code, not the first quick versions.
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 1024 || (warmUp.Elapsed < TimeSpan.FromSeconds(2) && i < 16 * 1024); i++)
        {
            log.AppendAsLeader(batch, 0);
            fs.Write(batch);
        }
        // The timed appends start on a new segment, so none of them pays the fsync of a segment roll
        // (one per segment.bytes, 1 GiB: appendMiB below that never rolls).
        log.Roll();
        var samsaWall = new List<double>();
        var plainWall = new List<double>();
        double samsaCpu = 0, plainCpu = 0;
        long allocated = 0;
        for (int c = 0; c < chunks; c++)
        {
            if (c % 2 == 0)
            {
                AppendChunk();
                PlainChunk();
            }
            else
            {
                PlainChunk();
                AppendChunk();
            }
        }
        double chunkMiB = (double)ChunkBatches * batch.Length / (1 << 20);
        double samsa = bytes / (1 << 20) / samsaWall.Sum(), plain = bytes / (1 << 20) / plainWall.Sum();
        double samsaMedian = chunkMiB / Median(samsaWall), plainMedian = chunkMiB / Median(plainWall);
        Console.WriteLine($"wall, total: AppendAsLeader {samsa:F0} MiB/s, FileStream.Write {plain:F0} MiB/s, ratio {samsa / plain:F2}");
        Console.WriteLine($"wall, median chunk: AppendAsLeader {samsaMedian:F0} MiB/s, FileStream.Write {plainMedian:F0} MiB/s, ratio {samsaMedian / plainMedian:F2}");
        if (ThreadCpuClock.IsAvailable)
        {
            double samsaCpuRate = bytes / (1 << 20) / samsaCpu, plainCpuRate = bytes / (1 << 20) / plainCpu;
            Console.WriteLine($"thread CPU time (not counting waits for a core): AppendAsLeader {samsaCpuRate:F0} MiB per CPU-second, FileStream.Write {plainCpuRate:F0}, ratio {samsaCpuRate / plainCpuRate:F2}");
            Console.WriteLine($"   per batch: AppendAsLeader {samsaCpu / count * 1e6:F1} µs, FileStream.Write {plainCpu / count * 1e6:F1} µs");
        }
        Console.WriteLine($"allocated per append {allocated / count} B");
        Read(log, bytes);

        void AppendChunk()
        {
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            double cpu0 = ThreadCpuClock.Now();
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < ChunkBatches; i++)
            {
                LogAppendResult r = log.AppendAsLeader(batch, 0);
                if (!r.Succeeded)
                {
                    throw new InvalidOperationException(r.ErrorMessage);
                }
            }
            samsaWall.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            samsaCpu += ThreadCpuClock.Now() - cpu0;
            allocated += GC.GetAllocatedBytesForCurrentThread() - a0;
        }

        void PlainChunk()
        {
            double cpu0 = ThreadCpuClock.Now();
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < ChunkBatches; i++)
            {
                fs.Write(batch);
            }
            plainWall.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            plainCpu += ThreadCpuClock.Now() - cpu0;
        }
    }

    private static void Read(PartitionLog log, double bytes)
    {
        var sink = new ArrayBufferWriter<byte>(2 * 1024 * 1024);
        var rates = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            long offset = 0, end = log.LogEndOffset, total = 0;
            var sw = Stopwatch.StartNew();
            while (offset < end)
            {
                using LogReadResult r = log.Read(offset, 1024 * 1024, end, minOneMessage: true);
                FileRegion region = r.Region!.Value;
                sink.ResetWrittenCount();
                region.CopyTo(sink);
                total += region.Length;
                // Next fetch starts after the last whole batch, as a consumer's would.
                long next = offset;
                foreach (RecordBatch b in RecordBatch.Enumerate(sink.WrittenSpan))
                {
                    next = b.NextOffset;
                }
                offset = next;
            }
            sw.Stop();
            rates.Add(total / (double)(1 << 20) / sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"\n## read: 1 MiB fetches of file regions copied into a buffer (page cache), {bytes / (1 << 20):F0} MiB: median {Median(rates):F0} MiB/s ({string.Join(", ", rates.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))})");
    }

    private static void Recovery(string root, int mib)
    {
        byte[] batch = Batch16K();
        int count = (int)((long)mib * 1024 * 1024 / batch.Length);
        string dir = Path.Combine(root, "recovery");
        var options = new LogManagerOptions { LogDir = dir, StartScheduler = false };
        using (LogManager m = LogManager.Open(options))
        {
            PartitionLog log = m.GetOrCreateLog("bench", 0, Guid.NewGuid(), LogConfig.Default with { MessageTimestampAfterMaxMs = long.MaxValue, MessageTimestampBeforeMaxMs = long.MaxValue });
            for (int i = 0; i < count; i++)
            {
                log.AppendAsLeader(batch, 0);
            }
        }
        // As after a crash with nothing flushed: no clean-shutdown marker, recovery point 0.
        File.Delete(Path.Combine(dir, LogManager.CleanShutdownFile));
        File.Delete(Path.Combine(dir, "recovery-point-offset-checkpoint"));
        foreach (string f in Directory.GetFiles(Path.Combine(dir, "bench-0"), "*.snapshot"))
        {
            File.Delete(f);
        }
        double gib = (double)count * batch.Length / (1 << 30);
        var sw = Stopwatch.StartNew();
        using (LogManager m = LogManager.Open(options))
        {
            sw.Stop();
            long leo = m.GetLog("bench", 0)!.LogEndOffset;
            Console.WriteLine($"\n## recovery: {gib * 1024:F0} MiB unflushed log ({count} batches, {leo} records) validated (CRC-32C of every batch, indexes rebuilt) in {sw.Elapsed.TotalSeconds:F2} s = {sw.Elapsed.TotalSeconds / gib:F2} s per GiB (page cache warm)");
        }
        Directory.Delete(dir, recursive: true);
    }

    private static void ManyPartitions(string root, int partitions)
    {
        string dir = Path.Combine(root, "many");
        var options = new LogManagerOptions { LogDir = dir, StartScheduler = false };
        byte[] batch;
        using (var b = new RecordBatchBuilder())
        {
            b.Append(1_700_000_000_000, "k"u8, new byte[1000]);
            batch = b.Build().ToArray();
        }
        var create = Stopwatch.StartNew();
        using (LogManager m = LogManager.Open(options))
        {
            for (int p = 0; p < partitions; p++)
            {
                m.GetOrCreateLog("many", p, Guid.Empty, LogConfig.Default with { MessageTimestampAfterMaxMs = long.MaxValue, MessageTimestampBeforeMaxMs = long.MaxValue })
                    .AppendAsLeader((byte[])batch.Clone(), 0);
            }
        }
        create.Stop();
        Console.WriteLine($"\n## {partitions} partitions (one 1 KiB batch each): created and closed in {create.Elapsed.TotalSeconds:F1} s");

        long fdsBefore = OpenFds();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var open = Stopwatch.StartNew();
        using LogManager opened = LogManager.Open(options);
        open.Stop();
        long heapOpen = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        Console.WriteLine($"open (lazy): {open.Elapsed.TotalMilliseconds:F0} ms, managed heap +{heapOpen / 1024.0 / 1024:F1} MiB ({heapOpen / partitions} B per partition), segment handles open {opened.OpenFileCount}, process fds +{OpenFds() - fdsBefore}");

        var load = Stopwatch.StartNew();
        long total = 0;
        foreach (PartitionLog log in opened.Logs)
        {
            total += log.LogEndOffset;
        }
        load.Stop();
        long heapLoaded = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        Console.WriteLine($"load all: {load.Elapsed.TotalMilliseconds:F0} ms ({load.Elapsed.TotalMilliseconds * 1000 / partitions:F0} µs per partition), managed heap +{heapLoaded / 1024.0 / 1024:F1} MiB ({heapLoaded / partitions} B per partition), segment handles open {opened.OpenFileCount} (cap {options.MaxOpenFiles}), process fds +{OpenFds() - fdsBefore}, working set {Environment.WorkingSet / 1024 / 1024} MiB; {total} records");
    }

    private static long OpenFds() => Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
