using System.Text;
using Samsa.Client;
using Samsa.Client.Network;

namespace Samsa.Cli.Tools;

/// <summary>The lines of <c>kafka-topics --describe</c>, tab-separated as Kafka prints them.</summary>
internal static class TopicDescriptionFormat
{
    /// <summary><c>Topic: t\tTopicId: id\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: k=v,...</c></summary>
    public static string TopicLine(TopicDescription topic, IEnumerable<ConfigEntry>? configs)
    {
        var sb = new StringBuilder();
        sb.Append("Topic: ").Append(topic.Name);
        if (topic.TopicId != Guid.Empty) sb.Append("\tTopicId: ").Append(TopicIdString(topic.TopicId));
        sb.Append("\tPartitionCount: ").Append(topic.Partitions.Count);
        sb.Append("\tReplicationFactor: ").Append(topic.Partitions.Count > 0 ? topic.Partitions[0].Replicas.Length : 0);
        sb.Append("\tConfigs: ").Append(ConfigList(configs));
        return sb.ToString();
    }

    /// <summary><c>\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2</c> (Leader "none" when there is none).</summary>
    public static string PartitionLine(string topic, PartitionInfo partition)
    {
        var sb = new StringBuilder();
        sb.Append("\tTopic: ").Append(topic);
        sb.Append("\tPartition: ").Append(partition.Partition);
        sb.Append("\tLeader: ").Append(partition.Leader >= 0 ? partition.Leader.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none");
        sb.Append("\tReplicas: ").Append(string.Join(',', partition.Replicas));
        sb.Append("\tIsr: ").Append(string.Join(',', partition.Isr));
        return sb.ToString();
    }

    /// <summary>The configs that differ from the defaults, as <c>k=v</c> joined by commas (sensitive values hidden).</summary>
    public static string ConfigList(IEnumerable<ConfigEntry>? configs)
    {
        if (configs is null) return "";
        var parts = new List<string>();
        foreach (var c in configs)
        {
            if (c.IsDefault) continue;
            parts.Add($"{c.Name}={(c.IsSensitive ? "<sensitive>" : c.Value ?? "null")}");
        }
        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    /// <summary>Kafka's text form of a Uuid: URL-safe base64 of its 16 big-endian bytes, without padding.</summary>
    public static string TopicIdString(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
