using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Client.Internal;
using Samsa.Client.Network;
using Samsa.Client.Producer;
using Samsa.Protocol;
using Samsa.Protocol.Partitioning;

namespace Samsa.Client;

/// <summary>
/// Sends records to Kafka. Thread-safe: many threads may produce at once. A send serializes the
/// record into its partition's open batch and returns; a background sender ships batches.
/// <see cref="ProduceAsync(string, Message{TKey, TValue}, CancellationToken)"/> returns the
/// record's metadata; <see cref="Produce(string, Message{TKey, TValue}, Action{DeliveryReport}?)"/>
/// allocates no Task and reports through an optional callback (called on the sender's thread).
/// </summary>
public sealed class Producer<TKey, TValue> : IDisposable, IAsyncDisposable
{
    [ThreadStatic] private static PooledWriter? t_keyScratch;
    [ThreadStatic] private static PooledWriter? t_valueScratch;

    private readonly ProducerConfig _config;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly KafkaCluster _cluster;
    private readonly RecordAccumulator _accumulator;
    private readonly StickyPartitioner _partitioner;
    private readonly Sender _sender;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string, int, int>? _queueLength;
    private int _disposed;

    public Producer(ProducerConfig config, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(config, keySerializer, valueSerializer, loggerFactory, timeProvider, startSender: true)
    {
    }

    /// <summary>Without the sender thread, for benchmarks that drive the accumulator themselves.</summary>
    internal Producer(ProducerConfig config, ISerializer<TKey>? keySerializer, ISerializer<TValue>? valueSerializer,
        ILoggerFactory? loggerFactory, TimeProvider? timeProvider, bool startSender)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _keySerializer = keySerializer ?? Serializers.Default<TKey>()
            ?? throw new ArgumentException($"No built-in serializer for {typeof(TKey).Name}; pass one.", nameof(keySerializer));
        _valueSerializer = valueSerializer ?? Serializers.Default<TValue>()
            ?? throw new ArgumentException($"No built-in serializer for {typeof(TValue).Name}; pass one.", nameof(valueSerializer));
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)loggerFactory?.CreateLogger("Samsa.Client.Producer") ?? NullLogger.Instance;
        config.WarnUnknownKeys(_logger);
        _cluster = new KafkaCluster(config, config.ResolveClientId("producer"), _logger, _time);
        _accumulator = new RecordAccumulator(config.BatchSize, config.BufferMemory, config.LingerMs,
            config.MaxInFlightRequestsPerConnection, _time);
        _partitioner = new StickyPartitioner(Math.Max(config.BatchSize, 1), config.PartitionerAdaptivePartitioningEnable);
        _sender = new Sender(config, _cluster, _accumulator, _time, _logger);
        if (config.PartitionerAdaptivePartitioningEnable)
            _queueLength = (topic, p) => _accumulator.QueueLength(new TopicPartition(topic, p));
        if (startSender) _sender.Start();
    }

    internal KafkaCluster Cluster => _cluster;
    internal RecordAccumulator Accumulator => _accumulator;
    internal Sender Sender => _sender;

    /// <summary>The client id sent to brokers.</summary>
    public string ClientId => _cluster.ClientId;

    /// <summary>Sends a record; completes when the broker acknowledged it (per acks) or it failed.</summary>
    public Task<RecordMetadata> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceAsync(new TopicPartition(topic, -1), message, cancellationToken);

    /// <summary>Sends a record to a given partition (-1: let the partitioner choose).</summary>
    public Task<RecordMetadata> ProduceAsync(TopicPartition partition, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        var tcs = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            Send(partition, message, tcs, cancellationToken);
        }
        catch (Exception e)
        {
            tcs.TrySetException(e);
        }
        return tcs.Task;
    }

    /// <summary>
    /// Sends a record without a Task. Blocks only while buffer.memory is full or the topic's
    /// metadata is unknown (both bounded by max.block.ms); throws what fails before queueing.
    /// </summary>
    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport>? deliveryHandler = null) =>
        Send(new TopicPartition(topic, -1), message, deliveryHandler, CancellationToken.None);

    /// <summary>Sends a record to a given partition without a Task.</summary>
    public void Produce(TopicPartition partition, Message<TKey, TValue> message, Action<DeliveryReport>? deliveryHandler = null) =>
        Send(partition, message, deliveryHandler, CancellationToken.None);

    /// <summary>Sends everything queued now and completes when all of it is acknowledged or failed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = _accumulator.FlushAsync();
        _sender.Wake();
        await flush.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Blocking flush; false when <paramref name="timeout"/> passed first.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var flush = _accumulator.FlushAsync();
        _sender.Wake();
        return flush.Wait(timeout);
    }

    /// <summary>The partitions of a topic (fetching metadata when needed).</summary>
    public async Task<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken = default)
    {
        var deadline = _time.GetUtcNow().AddMilliseconds(_config.MaxBlockMs).UtcTicks;
        return await WaitForPartitionsAsync(topic, deadline, cancellationToken).ConfigureAwait(false);
    }

    private void Send(TopicPartition target, Message<TKey, TValue> message, object? handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(target.Topic);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0 || _accumulator.IsClosing, this);
        // One clock reading per record serves both max.block.ms and the record's CreateTime.
        var now = _time.GetUtcNow();
        var deadline = now.AddMilliseconds(_config.MaxBlockMs).UtcTicks;

        var partitionCount = _cluster.Metadata.PartitionCount(target.Topic);
        if (partitionCount == 0)
        {
            partitionCount = WaitForPartitionsAsync(target.Topic, deadline, cancellationToken).GetAwaiter().GetResult();
            now = _time.GetUtcNow(); // the record's time is after the wait for metadata, as in Kafka's client
        }

        var keyScratch = t_keyScratch ??= new PooledWriter(256);
        var valueScratch = t_valueScratch ??= new PooledWriter(1024);
        keyScratch.Reset();
        valueScratch.Reset();
        var keyLength = -1;
        var valueLength = -1;
        try
        {
            if (message.Key is not null && message.Key is not Null)
            {
                _keySerializer.Serialize(message.Key, keyScratch, new SerializationContext(MessageComponent.Key, target.Topic, message.Headers));
                keyLength = keyScratch.WrittenCount;
            }
            if (message.Value is not null && message.Value is not Null)
            {
                _valueSerializer.Serialize(message.Value, valueScratch, new SerializationContext(MessageComponent.Value, target.Topic, message.Headers));
                valueLength = valueScratch.WrittenCount;
            }
        }
        catch (Exception e) when (e is not SerializationException)
        {
            throw new SerializationException($"Serializing a record for topic {target.Topic} failed: {e.Message}", e);
        }

        var size = ProducerBatch.EstimateSize(keyLength, valueLength, message.Headers);
        if (size > _config.MaxRequestSize)
            throw new KafkaException(ErrorCode.MessageTooLarge,
                $"The record is {size} bytes when serialized, larger than max.request.size ({_config.MaxRequestSize}).");
        if (size > _accumulator.Pool.TotalMemory)
            throw new KafkaException(ErrorCode.MessageTooLarge,
                $"The record is {size} bytes when serialized, larger than buffer.memory ({_accumulator.Pool.TotalMemory}).");

        var partition = target.Partition;
        var sticky = false;
        if (partition >= 0)
        {
            if (partition >= partitionCount)
                throw new KafkaException(ErrorCode.UnknownTopicOrPartition,
                    $"Partition {partition} does not exist: topic {target.Topic} has {partitionCount} partitions.");
        }
        else if (keyLength >= 0 && !_config.PartitionerIgnoreKeys)
        {
            partition = Murmur2.Partition(keyScratch.WrittenSpan, partitionCount);
        }
        else
        {
            partition = PickSticky(target.Topic, partitionCount);
            sticky = true;
        }

        var timestamp = message.Timestamp?.ToUnixTimeMilliseconds() ?? now.ToUnixTimeMilliseconds();
        var tp = new TopicPartition(target.Topic, partition);
        var wake = _accumulator.Append(tp, timestamp, keyScratch.WrittenSpan, keyLength, valueScratch.WrittenSpan, valueLength,
            message.Headers, handler, deadline);
        if (sticky) _partitioner.OnAppend(target.Topic, partition, size);
        if (wake) _sender.Wake();
    }

    private int PickSticky(string topic, int partitionCount)
    {
        var current = _partitioner.Current(topic, partitionCount);
        if (current >= 0) return current;
        var metadata = _cluster.Metadata;
        Span<int> available = partitionCount <= 256 ? stackalloc int[partitionCount] : new int[partitionCount];
        var n = 0;
        for (var p = 0; p < partitionCount; p++)
        {
            if (metadata.LeaderOf(new TopicPartition(topic, p)) >= 0) available[n++] = p;
        }
        return _partitioner.Partition(topic, partitionCount, available[..n], _queueLength);
    }

    private async Task<int> WaitForPartitionsAsync(string topic, long deadlineTicks, CancellationToken cancellationToken)
    {
        _cluster.AddTopics([topic]);
        KafkaException? last = null;
        var warned = ErrorCode.None;
        while (true)
        {
            var count = _cluster.Metadata.PartitionCount(topic);
            if (count > 0) return count;
            var remaining = deadlineTicks - _time.GetUtcNow().UtcTicks;
            if (remaining <= 0)
            {
                var reason = _cluster.Metadata.Topics.TryGetValue(topic, out var info) ? $" (last error: {info.Error})"
                    : last is not null ? $" (last error: {last.Message})" : "";
                throw new KafkaTimeoutException($"Topic {topic} not present in metadata after max.block.ms ({_config.MaxBlockMs} ms){reason}.");
            }
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromTicks(remaining));
                await _cluster.RefreshMetadataAsync(null, timeout.Token).ConfigureAwait(false);
                if (_cluster.Metadata.PartitionCount(topic) > 0) continue;
                // As Kafka's client, say why the first send waits (e.g. a topic being auto-created), once per error.
                if (_cluster.Metadata.Topics.TryGetValue(topic, out var waiting) && waiting.Error != ErrorCode.None && waiting.Error != warned)
                {
                    warned = waiting.Error;
                    _logger.LogWarning("[Producer clientId={ClientId}] Error while fetching metadata: {{{Topic}={Error}}}",
                        _cluster.ClientId, topic, KafkaException.ErrorName(waiting.Error));
                }
            }
            catch (KafkaException e)
            {
                last = e;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(_config.RetryBackoffMs, Math.Max(1, remaining / TimeSpan.TicksPerMillisecond))),
                _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Flushes what is queued for at most <paramref name="timeout"/>, then fails what is left and closes.</summary>
    public void Close(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (!_sender.Stop(timeout))
            _logger.LogWarning("The producer closed before every record was sent; the rest failed.");
        _accumulator.Pool.Close();
        _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sender.Dispose();
    }

    /// <summary>Flushes (bounded by delivery.timeout.ms) and closes.</summary>
    public void Dispose() => Close(TimeSpan.FromMilliseconds(_config.DeliveryTimeoutMs));

    public ValueTask DisposeAsync()
    {
        return new ValueTask(Task.Run(Dispose));
    }
}
