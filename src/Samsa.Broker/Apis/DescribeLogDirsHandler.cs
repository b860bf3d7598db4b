using Samsa.Broker.Replicas;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Storage;

namespace Samsa.Broker.Apis;

/// <summary>
/// DescribeLogDirs (key 35), versions 0-4: every log directory with the partitions it holds (all
/// of them, or those asked), their sizes in bytes, offset lag 0 (no future replicas, no
/// replica moves between directories) and, from v4, the volume's total and usable bytes.
/// </summary>
public sealed class DescribeLogDirsHandler : ApiHandler<DescribeLogDirsRequest>
{
    private readonly ReplicaManager _replicaManager;

    public DescribeLogDirsHandler(ReplicaManager replicaManager) => _replicaManager = replicaManager;

    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeLogDirsRequest request)
    {
        Dictionary<string, HashSet<int>>? wanted = null;
        if (request.Topics is { } topics)
        {
            wanted = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
            foreach (DescribeLogDirsRequest.DescribableLogDirTopic t in topics)
            {
                if (!wanted.TryGetValue(t.Topic, out HashSet<int>? set))
                {
                    wanted[t.Topic] = set = [];
                }
                set.UnionWith(t.Partitions);
            }
        }
        var response = new DescribeLogDirsResponse { ThrottleTimeMs = 0 };
        foreach (LogManager manager in _replicaManager.Logs.Managers)
        {
            var dir = new DescribeLogDirsResponse.DescribeLogDirsResult { LogDir = manager.LogDir };
            response.Results.Add(dir);
            var byTopic = new SortedDictionary<string, DescribeLogDirsResponse.DescribeLogDirsTopic>(StringComparer.Ordinal);
            foreach (PartitionLog log in manager.Logs)
            {
                if (wanted is not null && (!wanted.TryGetValue(log.Topic, out HashSet<int>? parts) || !parts.Contains(log.Partition)))
                {
                    continue;
                }
                long size;
                try
                {
                    size = log.Size;
                }
                catch (KafkaStorageException)
                {
                    continue; // an offline partition is not described, as Kafka leaves out offline directories
                }
                if (!byTopic.TryGetValue(log.Topic, out DescribeLogDirsResponse.DescribeLogDirsTopic? t))
                {
                    byTopic[log.Topic] = t = new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = log.Topic };
                }
                t.Partitions.Add(new DescribeLogDirsResponse.DescribeLogDirsPartition { PartitionIndex = log.Partition, PartitionSize = size, OffsetLag = 0, IsFutureKey = false });
            }
            dir.Topics.AddRange(byTopic.Values);
            if (context.ApiVersion >= 4)
            {
                try
                {
                    var drive = new DriveInfo(manager.LogDir);
                    dir.TotalBytes = drive.TotalSize;
                    dir.UsableBytes = drive.AvailableFreeSpace;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    dir.TotalBytes = -1;
                    dir.UsableBytes = -1;
                }
            }
        }
        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
