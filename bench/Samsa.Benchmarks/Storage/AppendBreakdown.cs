using System.Diagnostics;
using Samsa.Protocol.Records;
using Samsa.Storage;

namespace Samsa.Benchmarks.Storage;

/// <summary>Where an append's time goes, step by step, interleaved so each step sees the same load: <c>-- storage-breakdown</c>.</summary>
internal static class AppendBreakdown
{
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
            for (int round = 0; round < 24; round++)
            {
                long t = Stopwatch.GetTimestamp();
                for (int i = 0; i < N; i++)
                {
                    _ = Crc32C.Compute(batch.AsSpan(RecordBatchLayout.AttributesOffset));
                }
                crc += Stopwatch.GetElapsedTime(t).TotalMicroseconds;
                t = Stopwatch.GetTimestamp();
                for (int i = 0; i < N; i++)
                {
                    _ = RecordWalker.Validate(batch, out _, out _);
                }
                walk += Stopwatch.GetElapsedTime(t).TotalMicroseconds;
                t = Stopwatch.GetTimestamp();
                for (int i = 0; i < N; i++)
                {
                    RandomAccess.Write(h, batch, pos);
                    pos += batch.Length;
                }
                pwrite += Stopwatch.GetElapsedTime(t).TotalMicroseconds;
                t = Stopwatch.GetTimestamp();
                for (int i = 0; i < N; i++)
                {
                    fs.Write(batch);
                }
                fsw += Stopwatch.GetElapsedTime(t).TotalMicroseconds;
                t = Stopwatch.GetTimestamp();
                for (int i = 0; i < N; i++)
                {
                    log.AppendAsLeader(batch, 0);
                }
                append += Stopwatch.GetElapsedTime(t).TotalMicroseconds;
            }
            double n = 24.0 * N;
            Console.WriteLine($"per 16 KiB batch: CRC {crc / n:F1} µs, record walk {walk / n:F1} µs, pwrite {pwrite / n:F1} µs, FileStream.Write {fsw / n:F1} µs, AppendAsLeader {append / n:F1} µs");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
