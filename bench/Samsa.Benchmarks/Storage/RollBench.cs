using System.Diagnostics;
using Samsa.Storage;

namespace Samsa.Benchmarks.Storage;

/// <summary>
/// What a segment roll costs the append that triggers it: fills one segment of
/// <c>segment.bytes</c> with 16 KiB batches (dirty pages, no fsync), then times that append by wall
/// clock next to the slowest and the median of the appends before it, and how long the recovery
/// point takes to reach the new segment (the fsync of the rolled one). Run with:
/// <c>dotnet run -c Release --project bench/Samsa.Benchmarks -- storage-roll [segmentMiB] [rounds]</c>
/// </summary>
internal static class RollBench
{
    public static void Run(string[] args)
    {
        int segmentMiB = StorageBench.IntArg(args, 1, 512);
        int rounds = StorageBench.IntArg(args, 2, 3);
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, segment.bytes {segmentMiB} MiB, 16 KiB batches");
        byte[] batch = StorageBench.Batch16K();
        for (int round = 0; round < rounds; round++)
        {
            string root = Path.Combine(Path.GetTempPath(), "samsa-roll-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                RunOne(root, batch, segmentMiB);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static void RunOne(string root, byte[] batch, int segmentMiB)
    {
        using LogManager m = LogManager.Open(new LogManagerOptions { LogDir = Path.Combine(root, "logs"), StartScheduler = false });
        LogConfig config = LogConfig.Default with
        {
            SegmentBytes = segmentMiB * 1024 * 1024,
            MessageTimestampAfterMaxMs = long.MaxValue,
            MessageTimestampBeforeMaxMs = long.MaxValue,
        };
        PartitionLog log = m.GetOrCreateLog("t", 0, Guid.NewGuid(), config);
        int perSegment = config.SegmentBytes / batch.Length;
        var times = new double[perSegment];
        for (int i = 0; i < perSegment; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            log.AppendAsLeader(batch, 0);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        if (log.SegmentCount != 1)
        {
            throw new InvalidOperationException("rolled too early");
        }
        long start = Stopwatch.GetTimestamp();
        log.AppendAsLeader(batch, 0); // does not fit: rolls
        double rollingAppend = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long rolledAt = log.SegmentBaseOffsets[^1];
        while (log.RecoveryPoint < rolledAt)
        {
            Thread.Sleep(1); // a measurement of the background flush, not synchronisation
        }
        double durable = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Array.Sort(times);
        Console.WriteLine($"append that rolls {rollingAppend,9:F3} ms | appends before it: median {times[times.Length / 2]:F3} ms, max {times[^1]:F3} ms | recovery point at the new segment after {durable,8:F1} ms");
    }
}
