using System.Buffers;
using System.Buffers.Binary;
using Samsa.Protocol;
using Samsa.Protocol.InternalRecords;

namespace Samsa.Broker.Groups;

/// <summary>
/// Kafka's <c>__consumer_offsets</c> record formats. A key starts with an int16 version that also
/// says what the record is: 0 or 1 an offset commit (group, topic, partition), 2 a group's metadata
/// (group). A value starts with its own int16 version. A null value is a tombstone. Written as
/// Kafka writes them today (offset key 1, offset value 3 or 1 with an expire timestamp, group key 2,
/// group value 3), read in every version.
/// </summary>
public static class GroupRecords
{
    public const short OffsetKeyVersion = 1;
    public const short GroupKeyVersion = 2;
    public const short OffsetValueVersion = 3;
    public const short OffsetValueVersionWithExpiry = 1;
    public const short GroupValueVersion = 3;

    public static byte[] OffsetKey(string group, string topic, int partition) =>
        Encode(OffsetKeyVersion, new OffsetCommitKey { Group = group, Topic = topic, Partition = partition }, static (m, w, v) => m.Write(w, v));

    public static byte[] GroupKey(string group) =>
        Encode(GroupKeyVersion, new GroupMetadataKey { Group = group }, static (m, w, v) => m.Write(w, v));

    public static byte[] OffsetValue(CommittedOffset offset)
    {
        bool withExpiry = offset.ExpireTimestamp >= 0;
        var value = new OffsetCommitValue
        {
            Offset = offset.Offset,
            Metadata = offset.Metadata,
            CommitTimestamp = offset.CommitTimestamp,
        };
        if (withExpiry) value.ExpireTimestamp = offset.ExpireTimestamp;
        else value.LeaderEpoch = offset.LeaderEpoch;
        return Encode(withExpiry ? OffsetValueVersionWithExpiry : OffsetValueVersion, value, static (m, w, v) => m.Write(w, v));
    }

    public static byte[] GroupValue(GroupMetadataValue value) =>
        Encode(GroupValueVersion, value, static (m, w, v) => m.Write(w, v));

    /// <summary>What a key names: an offset (group, topic, partition) or a group (group).</summary>
    public readonly record struct Key(bool IsOffset, string Group, string Topic, int Partition);

    /// <summary>Decodes a key; throws <see cref="KafkaProtocolException"/> on bytes that are not one.</summary>
    public static Key ReadKey(ReadOnlyMemory<byte> bytes)
    {
        short version = ReadVersion(bytes.Span);
        var reader = new KafkaReader(bytes[2..]);
        switch (version)
        {
            case 0 or 1:
                var k = OffsetCommitKey.Read(ref reader, version);
                return new Key(true, k.Group, k.Topic, k.Partition);
            case 2:
                var g = GroupMetadataKey.Read(ref reader, version);
                return new Key(false, g.Group, "", -1);
            default:
                throw new UnsupportedVersionException($"unknown __consumer_offsets key version {version}");
        }
    }

    public static CommittedOffset ReadOffsetValue(ReadOnlyMemory<byte> bytes)
    {
        short version = ReadVersion(bytes.Span);
        var reader = new KafkaReader(bytes[2..]);
        var v = OffsetCommitValue.Read(ref reader, version);
        return new CommittedOffset(v.Offset, v.LeaderEpoch, v.Metadata, v.CommitTimestamp, v.ExpireTimestamp);
    }

    public static GroupMetadataValue ReadGroupValue(ReadOnlyMemory<byte> bytes)
    {
        short version = ReadVersion(bytes.Span);
        var reader = new KafkaReader(bytes[2..]);
        return GroupMetadataValue.Read(ref reader, version);
    }

    private static short ReadVersion(ReadOnlySpan<byte> bytes) =>
        bytes.Length < 2 ? throw new InsufficientDataException("__consumer_offsets record shorter than its version") : BinaryPrimitives.ReadInt16BigEndian(bytes);

    private static byte[] Encode<T>(short version, T message, Action<T, IBufferWriter<byte>, short> write)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        BinaryPrimitives.WriteInt16BigEndian(buffer.GetSpan(2), version);
        buffer.Advance(2);
        write(message, buffer, version);
        return buffer.WrittenSpan.ToArray();
    }
}
