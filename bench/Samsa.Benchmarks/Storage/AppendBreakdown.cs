using System.Diagnostics;
using Samsa.Protocol.Records;
using Samsa.Storage;

namespace Samsa.Benchmarks.Storage;

/// <summary>Where an append's time goes, step by step (thread CPU time), interleaved so each step sees the same load: <c>-- storage-breakdown</c>.</summary>
internal static class AppendBreakdown
{
    /// <summary>The thread's CPU seconds (wall seconds where that is unavailable): steps compare work, not waits for a core.</summary>
    private static double Cpu()
    {
        return ThreadCpuClock.IsAvailable ? ThreadCpuClock.Now() : Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
    }

    public static void Run()
    {
        byte[] batch;
        using (var b = new RecordBatchBuilder(32 * 1024))
        {
            var rnd = new Random(1);
            byte[] value = new byte[1000];
            while (b.SizeInBytes + 1100 <= 16 * 1024)
            {
                rnd.NextBytes(value);
                b.Append(1_700_000_000_000, "key"u8, value);
            }
            batch = b.Build().ToArray();
        }
        string root = Path.Combine(Path.GetTempPath(), "samsa-breakdown-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            using LogManager m = LogManager.Open(new LogManagerOptions { LogDir = Path.Combine(root, "logs"), StartScheduler = false });
            PartitionLog log = m.GetOrCreateLog("t", 0, Guid.NewGuid(), LogConfig.Default with { MessageTimestampAfterMaxMs = long.MaxValue, MessageTimestampBeforeMaxMs = long.MaxValue });
            using var h = File.OpenHandle(Path.Combine(root, "pwrite.bin"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
            using var fs = new FileStream(Path.Combine(root, "fs.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 4096);
            double crc = 0, walk = 0, pwrite = 0, fsw = 0, append = 0;
            long pos = 0;
            const int N = 256;
            // Untimed rounds first (at least 2 s), so every step runs its optimized JIT code.
            var warmUp = Stopwatch.StartNew();
            int warmRounds = 0;
            while (warmUp.Elapsed < TimeSpan.FromSeconds(2) && warmRounds < 32)
            {
                warmRounds++;
                for (int i = 0; i < N; i++)
                {
                    _ = Crc32C.Compute(batch.AsSpan(RecordBatchLayout.AttributesOffset));
                    _ = RecordWalker.Validate(batch, out _, out _);
                    log.AppendAsLeader(batch, 0);
                }
            }
            log.Roll();
            for (int round = 0; round < 24; round++)
            {
                double t = Cpu();
                for (int i = 0; i < N; i++)
                {
                    _ = Crc32C.Compute(batch.AsSpan(RecordBatchLayout.AttributesOffset));
                }
                crc += (Cpu() - t) * 1e6;
                t = Cpu();
                for (int i = 0; i < N; i++)
                {
                    _ = RecordWalker.Validate(batch, out _, out _);
                }
                walk += (Cpu() - t) * 1e6;
                t = Cpu();
                for (int i = 0; i < N; i++)
                {
                    RandomAccess.Write(h, batch, pos);
                    pos += batch.Length;
                }
                pwrite += (Cpu() - t) * 1e6;
                t = Cpu();
                for (int i = 0; i < N; i++)
                {
                    fs.Write(batch);
                }
                fsw += (Cpu() - t) * 1e6;
                t = Cpu();
                for (int i = 0; i < N; i++)
                {
                    log.AppendAsLeader(batch, 0);
                }
                append += (Cpu() - t) * 1e6;
            }
            double n = 24.0 * N;
            Console.WriteLine($"per 16 KiB batch ({(ThreadCpuClock.IsAvailable ? "thread CPU time" : "wall time")}): CRC {crc / n:F1} µs, record walk {walk / n:F1} µs, pwrite {pwrite / n:F1} µs, FileStream.Write {fsw / n:F1} µs, AppendAsLeader {append / n:F1} µs");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
