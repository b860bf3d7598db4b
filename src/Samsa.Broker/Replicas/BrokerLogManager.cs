using Microsoft.Extensions.Logging;
using Samsa.Broker.Config;
using Samsa.Storage;

namespace Samsa.Broker.Replicas;

/// <summary>
/// The storage log managers of every <c>log.dirs</c> entry. A partition stays in the directory that
/// already holds it; a new one goes to the directory with the fewest partitions (Kafka's rule).
/// Thread-safety: placement of new partitions is serialised; lookups are lock-free.
/// </summary>
public sealed class BrokerLogManager : IDisposable
{
    private readonly Lock _placement = new();

    public BrokerLogManager(IReadOnlyList<LogManager> managers)
    {
        if (managers.Count == 0)
        {
            throw new ArgumentException("at least one log directory is needed", nameof(managers));
        }
        Managers = managers;
    }

    public IReadOnlyList<LogManager> Managers { get; }

    /// <summary>Opens every <c>log.dirs</c> entry with the broker's storage settings (recovering after an unclean stop).</summary>
    public static BrokerLogManager Open(BrokerConfig config, ILoggerFactory loggers)
    {
        var managers = new List<LogManager>();
        foreach (string dir in config.LogDirs)
        {
            managers.Add(LogManager.Open(new LogManagerOptions
            {
                LogDir = dir,
                RetentionCheckIntervalMs = config.GetLong("log.retention.check.interval.ms"),
                CheckpointIntervalMs = config.GetInt("log.flush.offset.checkpoint.interval.ms"),
                FlushSchedulerIntervalMs = config.GetLong("log.flush.scheduler.interval.ms"),
                CleanerEnabled = config.GetBoolean("log.cleaner.enable"),
                CleanerBackoffMs = config.GetLong("log.cleaner.backoff.ms"),
            }, TimeProvider.System, loggers));
        }
        return new BrokerLogManager(managers);
    }

    /// <summary>The log of a partition if some directory holds it.</summary>
    public PartitionLog? GetLog(string topic, int partition)
    {
        foreach (LogManager m in Managers)
        {
            if (m.GetLog(topic, partition) is { } log)
            {
                return log;
            }
        }
        return null;
    }

    /// <summary>The partition's log, created in the least used directory when no directory holds it.</summary>
    public PartitionLog GetOrCreateLog(string topic, int partition, Guid topicId, LogConfig config)
    {
        lock (_placement)
        {
            LogManager target = Managers[0];
            foreach (LogManager m in Managers)
            {
                if (m.GetLog(topic, partition) is not null)
                {
                    target = m;
                    break;
                }
                if (m.Logs.Count < target.Logs.Count)
                {
                    target = m;
                }
            }
            return target.GetOrCreateLog(topic, partition, topicId, config);
        }
    }

    /// <summary>Removes a deleted partition's files wherever they are.</summary>
    public bool DeleteLog(string topic, int partition)
    {
        bool deleted = false;
        foreach (LogManager m in Managers)
        {
            deleted |= m.DeleteLog(topic, partition);
        }
        return deleted;
    }

    /// <summary>Which directory's manager holds <paramref name="log"/>.</summary>
    public LogManager? ManagerOf(PartitionLog log)
    {
        foreach (LogManager m in Managers)
        {
            if (ReferenceEquals(m.GetLog(log.Topic, log.Partition), log))
            {
                return m;
            }
        }
        return null;
    }

    /// <summary>Clean shutdown of every directory (flush, checkpoints, clean-shutdown marker).</summary>
    public void Close()
    {
        foreach (LogManager m in Managers)
        {
            m.Close();
        }
    }

    public void Dispose() => Close();
}
