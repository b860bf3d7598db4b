using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;

using Samsa.Protocol;

namespace Samsa.Storage.Tests;

/// <summary>A fresh directory under the system temp dir, removed on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "samsa-storage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Collects log lines so tests can assert what recovery reported.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get { lock (_lines) { return [.. _lines]; } }
    }

    public List<string> Warnings => [.. Lines.Where(l => l.Level >= LogLevel.Warning).Select(l => l.Message)];

    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => this;
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add((logLevel, formatter(state, exception)));
        }
    }
}

/// <summary>Builds producer batches with the protocol's builder.</summary>
public static class Batches
{
    public static byte[] Make(int count, long timestamp, string prefix = "v", int valueSize = 0,
        long producerId = -1, short producerEpoch = -1, int baseSequence = -1,
        CompressionType compression = CompressionType.None, long timestampStep = 0)
    {
        using var b = new RecordBatchBuilder();
        b.Compression = compression;
        b.ProducerId = producerId;
        b.ProducerEpoch = producerEpoch;
        b.BaseSequence = baseSequence;
        for (int i = 0; i < count; i++)
        {
            string v = $"{prefix}-{i}";
            byte[] value = Encoding.UTF8.GetBytes(valueSize > v.Length ? v.PadRight(valueSize, '.') : v);
            b.Append(timestamp + i * timestampStep, Encoding.UTF8.GetBytes($"k{i}"), value);
        }
        return b.Build().ToArray();
    }
}

public static class Wait
{
    /// <summary>Waits for a condition with a deadline (timer callbacks of the fake clock may run on another thread).</summary>
    public static void Until(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
            Thread.Sleep(10);
        }
    }
}

/// <summary>A stored record as read back.</summary>
public readonly record struct StoredRecord(long Offset, long Timestamp, string Value);

public static class LogReading
{
    /// <summary>Reads the whole log from the start through file regions and decodes it.</summary>
    public static List<StoredRecord> ReadAll(PartitionLog log, int maxBytes = 64 * 1024, long from = -1)
    {
        var result = new List<StoredRecord>();
        long offset = from < 0 ? log.LogStartOffset : from;
        long end = log.LogEndOffset;
        while (offset < end)
        {
            using LogReadResult r = log.Read(offset, maxBytes, end, minOneMessage: true);
            Assert.Equal(ErrorCode.None, r.Error);
            Assert.NotNull(r.Region);
            var w = new ArrayBufferWriter<byte>();
            r.Region!.Value.CopyTo(w);
            long next = offset;
            foreach (RecordBatch batch in RecordBatch.Enumerate(w.WrittenSpan))
            {
                Assert.True(batch.IsCrcValid);
                foreach (Samsa.Protocol.Records.Record rec in batch.GetRecords())
                {
                    if (rec.Offset >= offset)
                    {
                        result.Add(new StoredRecord(rec.Offset, rec.Timestamp, Encoding.UTF8.GetString(rec.Value)));
                    }
                }
                next = batch.NextOffset;
            }
            Assert.True(next > offset, $"no progress reading at offset {offset}");
            offset = next;
        }
        return result;
    }
}

/// <summary>Opens log managers on a temp dir with a fake clock and a capturing logger.</summary>
public sealed class Storage : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public Storage(TempDir? dir = null, LogConfig? config = null, int maxOpenFiles = 4096, bool startScheduler = false)
    {
        StartScheduler = startScheduler;
        Dir = dir ?? new TempDir();
        OwnsDir = dir is null;
        Config = config ?? LogConfig.Default;
        MaxOpenFiles = maxOpenFiles;
        Manager = Open();
    }

    public TempDir Dir { get; }
    private bool OwnsDir { get; }
    public LogConfig Config { get; }
    public int MaxOpenFiles { get; }
    public bool StartScheduler { get; }
    public FakeTimeProvider Time { get; } = new(Start);
    public CapturingLoggerFactory Logs { get; private set; } = new();
    public LogManager Manager { get; private set; }
    public string LogDir => Dir.Sub("logs");
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public LogManager Open()
    {
        Logs = new CapturingLoggerFactory();
        Manager = LogManager.Open(new LogManagerOptions { LogDir = LogDir, DefaultConfig = Config, MaxOpenFiles = MaxOpenFiles, StartScheduler = StartScheduler, RetentionCheckIntervalMs = 60_000, CheckpointIntervalMs = 60_000 }, Time, Logs);
        return Manager;
    }

    /// <summary>Clean close then open again.</summary>
    public LogManager Reopen()
    {
        Manager.Close();
        return Open();
    }

    /// <summary>Makes the last close look like a crash with nothing flushed: no marker, recovery point 0.</summary>
    public void MakeUnclean()
    {
        File.Delete(Path.Combine(LogDir, LogManager.CleanShutdownFile));
        File.Delete(Path.Combine(LogDir, "recovery-point-offset-checkpoint"));
    }

    public PartitionLog Log(string topic = "t", int partition = 0, LogConfig? config = null) =>
        Manager.GetOrCreateLog(topic, partition, TopicId(topic), config ?? Config);

    public static Guid TopicId(string topic) => new(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(topic)).AsSpan(0, 16));

    public void Dispose()
    {
        Manager.Close();
        if (OwnsDir)
        {
            Dir.Dispose();
        }
    }
}
