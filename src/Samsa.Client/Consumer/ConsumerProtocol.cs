using System.Buffers;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Client.Consumer;

/// <summary>
/// The "consumer" embedded protocol of the classic group: subscription and assignment bytes,
/// each an int16 version followed by the struct in that version. Newer versions than known are
/// read with the newest known one (their extra fields come last).
/// </summary>
internal static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";
    private const short SubscriptionVersion = 3;
    private const short AssignmentVersion = 3;

    public static byte[] WriteSubscription(IEnumerable<string> topics, byte[]? userData, IReadOnlyCollection<TopicPartition> owned,
        int generation, string? rack)
    {
        var sorted = topics.ToList();
        sorted.Sort(StringComparer.Ordinal);
        var message = new ConsumerProtocolSubscription
        {
            Topics = sorted,
            UserData = userData,
            OwnedPartitions = Group(owned).ConvertAll(g => new ConsumerProtocolSubscription.TopicPartition { Topic = g.Topic, Partitions = g.Partitions }),
            GenerationId = generation,
            RackId = rack,
        };
        return Write(message, SubscriptionVersion);
    }

    public static (List<string> Topics, byte[]? UserData, List<TopicPartition> Owned, int Generation) ReadSubscription(byte[] bytes)
    {
        var reader = new KafkaReader(bytes);
        var version = Math.Min(reader.ReadInt16(), SubscriptionVersion);
        if (version < 0) throw new KafkaProtocolException($"Subscription version {version} is invalid.");
        var s = ConsumerProtocolSubscription.Read(ref reader, version);
        var owned = new List<TopicPartition>();
        if (s.OwnedPartitions is not null)
        {
            foreach (var t in s.OwnedPartitions)
            {
                foreach (var p in t.Partitions) owned.Add(new TopicPartition(t.Topic, p));
            }
        }
        return (s.Topics, s.UserData, owned, version >= 2 ? s.GenerationId : -1);
    }

    public static byte[] WriteAssignment(IReadOnlyCollection<TopicPartition> partitions)
    {
        var message = new ConsumerProtocolAssignment
        {
            AssignedPartitions = Group(partitions).ConvertAll(g => new ConsumerProtocolAssignment.TopicPartition { Topic = g.Topic, Partitions = g.Partitions }),
            UserData = null,
        };
        return Write(message, AssignmentVersion);
    }

    public static List<TopicPartition> ReadAssignment(byte[]? bytes)
    {
        var result = new List<TopicPartition>();
        if (bytes is null || bytes.Length == 0) return result;
        var reader = new KafkaReader(bytes);
        var version = Math.Min(reader.ReadInt16(), AssignmentVersion);
        if (version < 0) throw new KafkaProtocolException($"Assignment version {version} is invalid.");
        var a = ConsumerProtocolAssignment.Read(ref reader, version);
        foreach (var t in a.AssignedPartitions)
        {
            foreach (var p in t.Partitions) result.Add(new TopicPartition(t.Topic, p));
        }
        return result;
    }

    private static byte[] Write(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var span = buffer.GetSpan(2);
        span[0] = (byte)(version >> 8);
        span[1] = (byte)version;
        buffer.Advance(2);
        message.Write(buffer, version);
        return buffer.WrittenSpan.ToArray();
    }

    private static List<(string Topic, List<int> Partitions)> Group(IEnumerable<TopicPartition> partitions)
    {
        var byTopic = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var tp in partitions)
        {
            if (!byTopic.TryGetValue(tp.Topic, out var list)) byTopic[tp.Topic] = list = [];
            list.Add(tp.Partition);
        }
        var result = new List<(string, List<int>)>(byTopic.Count);
        foreach (var (topic, list) in byTopic)
        {
            list.Sort();
            result.Add((topic, list));
        }
        return result;
    }
}
