using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Storage.Checkpoints;
using Samsa.Storage.Files;

namespace Samsa.Storage;

/// <summary>
/// All partition logs of one log directory (an entry of <c>log.dirs</c>).
/// <para>On disk, next to the partition directories: <c>recovery-point-offset-checkpoint</c>,
/// <c>log-start-offset-checkpoint</c>, <c>replication-offset-checkpoint</c> (high watermarks; Kafka's
/// replica manager writes it, here storage does), <c>.kafka_cleanshutdown</c> (present only between a
/// clean close and the next open) and <c>meta.properties</c> (written by <c>storage format</c>, not here).
/// A deleted partition's directory is renamed to <c>&lt;topic&gt;-&lt;partition&gt;.&lt;id&gt;-delete</c> and removed.</para>
/// <para>Partitions load lazily on first use after a clean shutdown; after an unclean one every
/// partition is recovered when the manager opens. Segment file handles are shared through a bounded
/// cache. Retention, flush.ms and checkpoints run on <see cref="TimeProvider"/> timers; rolled segments
/// are fsync'd by a <see cref="SegmentFlusher"/> thread.</para>
/// Thread-safety: all public members are safe to call concurrently.
/// </summary>
public sealed class LogManager : IDisposable
{
    public const string CleanShutdownFile = ".kafka_cleanshutdown";

    /// <summary>The KRaft metadata log's topic; its directory belongs to the metadata layer, never to this manager.</summary>
    public const string MetadataTopic = "__cluster_metadata";

    private readonly ConcurrentDictionary<TopicPartition, PartitionLog> _logs = new();
    private readonly ConcurrentDictionary<ITimer, byte> _pendingDeletes = new();
    private readonly Lock _checkpointGate = new();
    private readonly Dictionary<TopicPartition, long> _cpRecovery;
    private readonly Dictionary<TopicPartition, long> _cpLogStart;
    private readonly Dictionary<TopicPartition, long> _cpHighWatermark;
    private readonly List<ITimer> _timers = [];
    private bool _closed;

    private LogManager(LogManagerOptions options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Options = options;
        Time = time;
        Logger = loggerFactory.CreateLogger("Samsa.Storage");
        HandleCache = new FileHandleCache(options.MaxOpenFiles);
        Flusher = new SegmentFlusher(Logger);
        LogDir = Path.GetFullPath(options.LogDir);
        Directory.CreateDirectory(LogDir);
        string marker = Path.Combine(LogDir, CleanShutdownFile);
        HadCleanShutdown = File.Exists(marker);
        _cpRecovery = OffsetCheckpointFile.Read(Path.Combine(LogDir, OffsetCheckpointFile.RecoveryPoint));
        _cpLogStart = OffsetCheckpointFile.Read(Path.Combine(LogDir, OffsetCheckpointFile.LogStartOffset));
        _cpHighWatermark = OffsetCheckpointFile.Read(Path.Combine(LogDir, OffsetCheckpointFile.HighWatermark));
        // From now on a crash must look unclean.
        File.Delete(marker);
    }

    /// <summary>Opens a log directory: discovers its partitions and recovers them if the last stop was unclean.</summary>
    public static LogManager Open(LogManagerOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        var m = new LogManager(options, time ?? TimeProvider.System, loggerFactory ?? NullLoggerFactory.Instance);
        m.Discover();
        m.Cleaner = new LogCleaner(m);
        if (options.StartScheduler)
        {
            m.StartScheduler();
            if (options.CleanerEnabled)
            {
                m.Cleaner.Start();
            }
        }
        return m;
    }

    public LogManagerOptions Options { get; }
    public string LogDir { get; }
    public bool HadCleanShutdown { get; }
    internal TimeProvider Time { get; }
    internal ILogger Logger { get; }
    internal FileHandleCache HandleCache { get; }
    /// <summary>fsyncs rolled segments off the append path.</summary>
    internal SegmentFlusher Flusher { get; }

    /// <summary>Compaction of cleanup.policy=compact logs; its task runs when the scheduler and log.cleaner.enable are on.</summary>
    public LogCleaner Cleaner { get; private set; } = null!;

    /// <summary>Segment file handles open right now (bounded by <see cref="LogManagerOptions.MaxOpenFiles"/>).</summary>
    public int OpenFileCount => HandleCache.OpenCount;

    public ICollection<PartitionLog> Logs => _logs.Values;

    private void Discover()
    {
        foreach (string dir in Directory.EnumerateDirectories(LogDir))
        {
            string name = Path.GetFileName(dir);
            if (name.EndsWith("-delete", StringComparison.Ordinal))
            {
                TryDeleteDirectory(dir);
                continue;
            }
            if (!TopicPartition.TryParseDirectoryName(name, out TopicPartition tp) || tp.Topic == MetadataTopic)
            {
                continue;
            }
            _logs[tp] = NewLog(tp, dir, Guid.Empty, Options.DefaultConfig);
        }
        if (!HadCleanShutdown)
        {
            foreach (PartitionLog log in _logs.Values)
            {
                log.EnsureLoaded(); // recovery now, while nothing else runs; damage leaves that partition offline
            }
        }
    }

    private PartitionLog NewLog(TopicPartition tp, string dir, Guid topicId, LogConfig config) =>
        new(this, tp, dir, topicId, config,
            _cpRecovery.GetValueOrDefault(tp, 0), _cpLogStart.GetValueOrDefault(tp, 0), _cpHighWatermark.GetValueOrDefault(tp, 0),
            HadCleanShutdown);

    /// <summary>
    /// The partition's log, created (directory and first segment) if it does not exist. An existing log
    /// takes <paramref name="config"/> (null keeps the current one) and the topic id if it had none.
    /// </summary>
    /// <exception cref="ArgumentException">the topic name cannot be a directory name.</exception>
    /// <exception cref="InvalidOperationException">the directory belongs to another topic id.</exception>
    public PartitionLog GetOrCreateLog(string topic, int partition, Guid topicId, LogConfig? config = null)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        ValidateTopicName(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        var tp = new TopicPartition(topic, partition);
        PartitionLog log = _logs.GetOrAdd(tp, t =>
            NewLog(t, Path.Combine(LogDir, t.ToString()), topicId, config ?? Options.DefaultConfig));
        if (config is not null && !ReferenceEquals(config, log.Config))
        {
            log.UpdateConfig(config);
        }
        log.EnsureLoaded();
        if (!log.IsOffline)
        {
            log.SetTopicId(topicId);
        }
        return log;
    }

    public PartitionLog? GetLog(string topic, int partition) => _logs.GetValueOrDefault(new TopicPartition(topic, partition));

    /// <summary>Topic deletion: stop serving the partition, rename its directory away and remove it.</summary>
    public bool DeleteLog(string topic, int partition)
    {
        var tp = new TopicPartition(topic, partition);
        if (!_logs.TryRemove(tp, out PartitionLog? log))
        {
            return false;
        }
        string target = Path.Combine(LogDir, $"{tp}.{Guid.NewGuid():N}-delete");
        if (Directory.Exists(log.Directory))
        {
            log.MarkDeletedAndClose(target);
            TryDeleteDirectory(target);
        }
        lock (_checkpointGate)
        {
            _cpRecovery.Remove(tp);
            _cpLogStart.Remove(tp);
            _cpHighWatermark.Remove(tp);
        }
        WriteCheckpoints();
        return true;
    }

    private static void ValidateTopicName(string topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.Length > 249 || topic is "." or ".." or MetadataTopic)
        {
            throw new ArgumentException($"invalid topic name '{topic}'", nameof(topic));
        }
        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException($"invalid topic name '{topic}': only ASCII letters, digits, '.', '_' and '-' are allowed", nameof(topic));
            }
        }
    }

    // ---------------------------------------------------------------- background work

    private void StartScheduler()
    {
        _timers.Add(Time.CreateTimer(_ => Safe(() => RunRetention()), null, TimeSpan.FromMilliseconds(Options.RetentionCheckIntervalMs), TimeSpan.FromMilliseconds(Options.RetentionCheckIntervalMs)));
        _timers.Add(Time.CreateTimer(_ => Safe(WriteCheckpoints), null, TimeSpan.FromMilliseconds(Options.CheckpointIntervalMs), TimeSpan.FromMilliseconds(Options.CheckpointIntervalMs)));
        if (Options.FlushSchedulerIntervalMs < int.MaxValue)
        {
            _timers.Add(Time.CreateTimer(_ => Safe(FlushDueLogs), null, TimeSpan.FromMilliseconds(Options.FlushSchedulerIntervalMs), TimeSpan.FromMilliseconds(Options.FlushSchedulerIntervalMs)));
        }
    }

    private void Safe(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Logger.LogError(e, "background storage task failed");
        }
    }

    /// <summary>One retention pass over every loaded partition; returns the segments deleted.</summary>
    public int RunRetention()
    {
        int deleted = 0;
        foreach (PartitionLog log in _logs.Values)
        {
            if (log.IsLoaded && !log.IsOffline)
            {
                deleted += log.DeleteOldSegments();
            }
        }
        if (deleted > 0)
        {
            WriteCheckpoints(); // log start offsets moved: once per pass, not per partition
        }
        return deleted;
    }

    /// <summary>fsyncs partitions whose flush.ms has passed.</summary>
    public void FlushDueLogs()
    {
        long now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (PartitionLog log in _logs.Values)
        {
            log.FlushIfDue(now);
        }
    }

    internal void ScheduleFileDeletion(LogSegment segment, long delayMs)
    {
        if (delayMs <= 0)
        {
            segment.DeleteFiles();
            return;
        }
        ITimer? timer = null;
        timer = Time.CreateTimer(_ =>
        {
            segment.DeleteFiles();
            if (timer is not null && _pendingDeletes.TryRemove(timer, out byte _))
            {
                timer.Dispose();
            }
        }, null, TimeSpan.FromMilliseconds(delayMs), Timeout.InfiniteTimeSpan);
        _pendingDeletes[timer] = 0;
    }

    internal void OnLogStartOffsetChanged() => WriteCheckpoints();

    /// <summary>Writes the recovery point, log start offset and high watermark checkpoints of every partition.</summary>
    public void WriteCheckpoints()
    {
        lock (_checkpointGate)
        {
            foreach ((TopicPartition tp, PartitionLog log) in _logs)
            {
                if (log.CheckpointValues() is { } v)
                {
                    _cpRecovery[tp] = v.RecoveryPoint;
                    _cpLogStart[tp] = v.LogStart;
                    _cpHighWatermark[tp] = v.HighWatermark;
                }
            }
            OffsetCheckpointFile.Write(Path.Combine(LogDir, OffsetCheckpointFile.RecoveryPoint), _cpRecovery);
            OffsetCheckpointFile.Write(Path.Combine(LogDir, OffsetCheckpointFile.LogStartOffset), _cpLogStart);
            OffsetCheckpointFile.Write(Path.Combine(LogDir, OffsetCheckpointFile.HighWatermark), _cpHighWatermark);
        }
    }

    /// <summary>
    /// Clean shutdown: every loaded partition is flushed and closed (a background flush of its rolled
    /// segments that is running is waited for, then everything is fsync'd; indexes written, producer
    /// snapshots taken), checkpoints written, then the clean-shutdown marker.
    /// </summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        Cleaner.Dispose();
        foreach (ITimer t in _timers)
        {
            t.Dispose();
        }
        bool allClean = true;
        foreach (PartitionLog log in _logs.Values)
        {
            // An offline partition must be looked at again next time: no clean-shutdown marker.
            allClean &= !log.IsOffline;
            try
            {
                log.Close();
            }
            catch (IOException e)
            {
                allClean = false;
                Logger.LogError(e, "{Partition}: close failed", log.TopicPartition);
            }
        }
        Flusher.Dispose(); // after the partitions closed: what is still queued finds them closed and skips
        foreach (ITimer t in _pendingDeletes.Keys)
        {
            t.Dispose();
        }
        WriteCheckpoints();
        if (allClean)
        {
            AtomicFile.WriteAllText(Path.Combine(LogDir, CleanShutdownFile), "{\"version\":0,\"brokerEpoch\":-1}");
        }
    }

    public void Dispose() => Close();

    private void TryDeleteDirectory(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException e)
        {
            Logger.LogWarning("could not remove {Directory}: {Message}", dir, e.Message);
        }
    }
}
