using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Samsa.Groups.Tests.Clients;

/// <summary>
/// One Confluent.Kafka consumer in a group, polling on its own thread: what it owns, every
/// assigned/revoked callback (with a sequence number), and what it consumed.
/// </summary>
internal sealed class GroupMember : IDisposable
{
    private static long _sequence;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<int> _owned = [];
    private readonly bool _commitEachRecord;
    private volatile bool _leave = true;

    public GroupMember(string bootstrap, string group, string topic, string name, Action<ConsumerConfig>? configure = null, bool commitEachRecord = false)
    {
        Name = name;
        _commitEachRecord = commitEachRecord;
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            ClientId = name,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 500,
            EnableAutoCommit = false,
            TopicMetadataRefreshIntervalMs = 1000,
        };
        configure?.Invoke(config);
        Consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, parts) => OnAssigned(parts))
            .SetPartitionsRevokedHandler((_, parts) => OnRevoked(parts.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, parts) => OnRevoked(parts.Select(p => p.TopicPartition)))
            .SetErrorHandler((_, e) => Errors.Add(e))
            .Build();
        Consumer.Subscribe(topic);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public string Name { get; }
    public IConsumer<string, string> Consumer { get; }
    public ConcurrentQueue<(long Seq, string Kind, int[] Partitions)> Events { get; } = new();
    public ConcurrentQueue<ConsumeResult<string, string>> Consumed { get; } = new();
    public ConcurrentBag<Error> Errors { get; } = [];
    public ConcurrentBag<ConsumeException> ConsumeErrors { get; } = [];

    public int[] Owned
    {
        get
        {
            lock (_owned) return _owned.Order().ToArray();
        }
    }

    public static long Now => Interlocked.Read(ref _sequence);

    private void OnAssigned(IEnumerable<TopicPartition> parts)
    {
        var list = parts.Select(p => p.Partition.Value).ToArray();
        lock (_owned) _owned.UnionWith(list);
        Events.Enqueue((Interlocked.Increment(ref _sequence), "assigned", list));
    }

    private void OnRevoked(IEnumerable<TopicPartition> parts)
    {
        var list = parts.Select(p => p.Partition.Value).ToArray();
        lock (_owned) _owned.ExceptWith(list);
        Events.Enqueue((Interlocked.Increment(ref _sequence), "revoked", list));
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var r = Consumer.Consume(100);
                if (r is null || r.IsPartitionEOF) continue;
                Consumed.Enqueue(r);
                if (_commitEachRecord) Consumer.Commit(r);
            }
            catch (ConsumeException e)
            {
                ConsumeErrors.Add(e);
            }
            catch (KafkaException e)
            {
                Errors.Add(e.Error);
            }
        }
        if (_leave)
        {
            try
            {
                Consumer.Close();
            }
            catch (KafkaException)
            {
                // closing against a stopped broker
            }
        }
    }

    /// <summary>Stops polling and closes (a dynamic member leaves; a static one just goes away).</summary>
    public void Stop()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        Stop();
        Consumer.Dispose();
        _stop.Dispose();
    }
}
