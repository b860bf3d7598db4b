using Samsa.Protocol;

namespace Samsa.Client.Network;

/// <summary>A broker as Metadata describes it.</summary>
public sealed record BrokerInfo(int NodeId, string Host, int Port, string? Rack);

/// <summary>A partition's leader, leader epoch and replicas.</summary>
public sealed record PartitionInfo(int Partition, int Leader, int LeaderEpoch, int[] Replicas, int[] Isr, ErrorCode Error);

/// <summary>A topic as Metadata describes it; <see cref="Error"/> is set when the topic is missing or not ready.</summary>
public sealed record TopicInfo(string Name, Guid TopicId, bool IsInternal, PartitionInfo[] Partitions, ErrorCode Error);

/// <summary>An immutable snapshot of the cluster: brokers, controller and the topics asked for so far.</summary>
internal sealed class ClusterMetadata
{
    public static ClusterMetadata Empty { get; } = new(null, -1, new Dictionary<int, BrokerInfo>(), new Dictionary<string, TopicInfo>(StringComparer.Ordinal), DateTime.MinValue);

    public ClusterMetadata(string? clusterId, int controllerId, IReadOnlyDictionary<int, BrokerInfo> brokers,
        IReadOnlyDictionary<string, TopicInfo> topics, DateTime fetchedAt)
    {
        ClusterId = clusterId;
        ControllerId = controllerId;
        Brokers = brokers;
        Topics = topics;
        FetchedAt = fetchedAt;
    }

    public string? ClusterId { get; }
    public int ControllerId { get; }
    public IReadOnlyDictionary<int, BrokerInfo> Brokers { get; }
    public IReadOnlyDictionary<string, TopicInfo> Topics { get; }
    public DateTime FetchedAt { get; }

    /// <summary>The leader of a partition, or -1 when unknown.</summary>
    public int LeaderOf(TopicPartition tp)
    {
        if (!Topics.TryGetValue(tp.Topic, out var topic) || topic.Error != ErrorCode.None) return -1;
        if ((uint)tp.Partition >= (uint)topic.Partitions.Length) return -1;
        var p = topic.Partitions[tp.Partition];
        return p.Partition == tp.Partition && Brokers.ContainsKey(p.Leader) ? p.Leader : -1;
    }

    public int PartitionCount(string topic) =>
        Topics.TryGetValue(topic, out var t) && t.Error == ErrorCode.None ? t.Partitions.Length : 0;
}
