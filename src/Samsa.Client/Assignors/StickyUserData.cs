using System.Buffers.Binary;
using System.Text;

namespace Samsa.Client.Assignors;

/// <summary>
/// The sticky assignor's subscription user data (version 1 layout): the member's previous
/// assignment as [topic: int16-length string, partitions: int32 array] and its generation (int32).
/// </summary>
internal static class StickyUserData
{
    public static byte[] Write(IReadOnlyCollection<TopicPartition> owned, int generation)
    {
        var byTopic = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var tp in owned)
        {
            if (!byTopic.TryGetValue(tp.Topic, out var list)) byTopic[tp.Topic] = list = [];
            list.Add(tp.Partition);
        }
        var size = 4 + 4;
        foreach (var (topic, partitions) in byTopic) size += 2 + Encoding.UTF8.GetByteCount(topic) + 4 + 4 * partitions.Count;
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, byTopic.Count);
        var pos = 4;
        foreach (var (topic, partitions) in byTopic)
        {
            var n = Encoding.UTF8.GetBytes(topic, span[(pos + 2)..]);
            BinaryPrimitives.WriteInt16BigEndian(span[pos..], (short)n);
            pos += 2 + n;
            BinaryPrimitives.WriteInt32BigEndian(span[pos..], partitions.Count);
            pos += 4;
            foreach (var p in partitions)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[pos..], p);
                pos += 4;
            }
        }
        BinaryPrimitives.WriteInt32BigEndian(span[pos..], generation);
        return buffer;
    }

    /// <summary>Reads user data; malformed or missing data means "owned nothing".</summary>
    public static (List<TopicPartition> Owned, int Generation) Read(ReadOnlySpan<byte> data)
    {
        var owned = new List<TopicPartition>();
        try
        {
            if (data.Length < 4) return (owned, -1);
            var topics = BinaryPrimitives.ReadInt32BigEndian(data);
            var pos = 4;
            for (var t = 0; t < topics; t++)
            {
                var length = BinaryPrimitives.ReadInt16BigEndian(data[pos..]);
                pos += 2;
                if (length < 0 || pos + length > data.Length) return ([], -1);
                var topic = Encoding.UTF8.GetString(data.Slice(pos, length));
                pos += length;
                var count = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
                pos += 4;
                if (count < 0 || pos + 4L * count > data.Length) return ([], -1);
                for (var i = 0; i < count; i++)
                {
                    owned.Add(new TopicPartition(topic, BinaryPrimitives.ReadInt32BigEndian(data[pos..])));
                    pos += 4;
                }
            }
            var generation = pos + 4 <= data.Length ? BinaryPrimitives.ReadInt32BigEndian(data[pos..]) : -1;
            return (owned, generation);
        }
        catch (ArgumentOutOfRangeException)
        {
            return ([], -1);
        }
    }
}
