using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Samsa.Protocol.Compression;

namespace Samsa.Storage.Tests;

/// <summary>Segments must be Kafka's format: an independent reader (kafka-python) reads Samsa's raw .log files.</summary>
public sealed class KafkaFormatTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public void Kafka_python_reads_a_segment_written_by_samsa()
    {
        using var s = new Storage(config: LogConfig.Default with { SegmentBytes = 1500 });
        PartitionLog log = s.Log();
        var compressions = new[] { CompressionType.None, CompressionType.Gzip, CompressionType.None, CompressionType.Gzip };
        for (int i = 0; i < 40; i++)
        {
            byte[] batch = i % 5 == 0
                ? Batches.Make(3, s.NowMs + i, prefix: $"p{i}", producerId: 77, producerEpoch: 0, baseSequence: i / 5 * 3, compression: compressions[i % 4])
                : Batches.Make(1 + i % 4, s.NowMs + i, prefix: $"b{i}", valueSize: 50, compression: compressions[i % 4]);
            LogAppendResult appended = log.AppendAsLeader(batch, 0);
            Assert.True(appended.Succeeded, $"{i}: {appended.Error} {appended.ErrorMessage}");
        }
        List<StoredRecord> expected = LogReading.ReadAll(log);
        s.Manager.Close();

        var seen = new List<StoredRecord>();
        string[] segments = Directory.GetFiles(Path.Combine(s.LogDir, "t-0"), "*.log").Order(StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length > 2);
        foreach (string segment in segments)
        {
            JsonElement result = RunReader(segment);
            JsonElement batches = result.GetProperty("batches");
            Assert.True(batches.GetArrayLength() > 0);
            long baseOffsetFromName = long.Parse(Path.GetFileNameWithoutExtension(segment), System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(baseOffsetFromName, batches[0].GetProperty("base_offset").GetInt64());
            foreach (JsonElement b in batches.EnumerateArray())
            {
                Assert.True(b.GetProperty("crc_ok").GetBoolean());
                foreach (JsonElement r in b.GetProperty("records").EnumerateArray())
                {
                    seen.Add(new StoredRecord(r.GetProperty("offset").GetInt64(), r.GetProperty("timestamp").GetInt64(), r.GetProperty("value").GetString()!));
                }
            }
        }
        Assert.Equal(expected, seen);
        Assert.Equal(Enumerable.Range(0, seen.Count).Select(i => (long)i), seen.Select(r => r.Offset));
    }

    private static JsonElement RunReader(string segment)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", "read_segment.py"));
        start.ArgumentList.Add(segment);
        using Process p = Process.Start(start) ?? throw new InvalidOperationException("python did not start");
        try
        {
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException("read_segment.py did not finish");
            }
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, stderr.Result);
            return JsonDocument.Parse(stdout.Result).RootElement.Clone();
        }
        finally
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
    }
}
