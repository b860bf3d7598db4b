using System.Collections.Immutable;
using System.Text;
using Samsa.Broker.Replicas;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Records;
using Samsa.Storage;

namespace Samsa.Broker.Tests.Replicas;

/// <summary>A replica manager over real partition logs in a temp directory, deleted on dispose.</summary>
internal sealed class ReplicaManagerFixture : IDisposable
{
    public const int BrokerId = 1;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "samsa-rm-" + Guid.NewGuid().ToString("N"));

    public ReplicaManagerFixture(TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        Logs = new BrokerLogManager([LogManager.Open(new LogManagerOptions { LogDir = _dir, StartScheduler = false }, Time)]);
        ReplicaManager = new ReplicaManager(BrokerId, Logs, Time);
    }

    public TimeProvider Time { get; }
    public BrokerLogManager Logs { get; }
    public ReplicaManager ReplicaManager { get; }

    /// <summary>Hosts a led partition with an ISR of this broker alone (what a single node's image says).</summary>
    public Partition Lead(string topic, int index = 0, LogConfig? config = null, int isrSize = 1)
    {
        Guid id = ReplicaManager.GetTopic(topic)?.Id ?? Guid.NewGuid();
        ReplicaManager.UpdateTopic(topic, id, Math.Max(index + 1, ReplicaManager.GetTopic(topic)?.PartitionCount ?? 0));
        ImmutableArray<int> isr = [.. Enumerable.Range(BrokerId, isrSize)];
        return ReplicaManager.ApplyPartition(topic, id, index, new PartitionLeadership(BrokerId, 0, isr, isr), config ?? LogConfig.Default);
    }

    /// <summary>One batch of <paramref name="count"/> records "key-i" / "value-i".</summary>
    public static byte[] Batch(int count, int first = 0, long producerId = -1, short epoch = -1, int sequence = -1, CompressionType codec = CompressionType.None)
    {
        using var b = new RecordBatchBuilder { Compression = codec, ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence };
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (int i = first; i < first + count; i++)
        {
            b.Append(now, Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes($"value-{i}"));
        }
        return b.Build().ToArray();
    }

    public void Dispose()
    {
        ReplicaManager.Dispose();
        Logs.Close();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
