using System.Buffers.Binary;

namespace Samsa.Protocol.Records;

/// <summary>The type in a control record's key (Kafka's ControlRecordType ids).</summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
    LeaderChange = 2,
    SnapshotHeader = 3,
    SnapshotFooter = 4,
    KRaftVersion = 5,
    KRaftVoters = 6,
}

/// <summary>
/// Keys of records in control batches: int16 version (0) then int16 type. Readers accept any
/// version at or above 0, as later versions may only add fields.
/// </summary>
public static class ControlRecord
{
    public const int KeySize = 4;
    public const short CurrentKeyVersion = 0;

    public static ControlRecordType ReadType(ReadOnlySpan<byte> key)
    {
        if (key.Length < KeySize)
        {
            throw new CorruptRecordException($"control record key needs {KeySize} bytes, got {key.Length}");
        }
        short version = BinaryPrimitives.ReadInt16BigEndian(key);
        if (version < 0)
        {
            throw new CorruptRecordException($"control record key has version {version}");
        }
        return (ControlRecordType)BinaryPrimitives.ReadInt16BigEndian(key[2..]);
    }

    public static void WriteKey(Span<byte> destination, ControlRecordType type)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, CurrentKeyVersion);
        BinaryPrimitives.WriteInt16BigEndian(destination[2..], (short)type);
    }
}

/// <summary>
/// A transaction marker: the single record of a control batch that commits or aborts a
/// producer's transaction on a partition. Its value is int16 version (0) then int32 coordinator epoch.
/// </summary>
public readonly record struct EndTransactionMarker(ControlRecordType Type, int CoordinatorEpoch)
{
    public const int ValueSize = 6;
    public const short CurrentValueVersion = 0;

    /// <summary>Reads a marker from a control record's key and value.</summary>
    public static EndTransactionMarker Read(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ControlRecordType type = ControlRecord.ReadType(key);
        if (type is not (ControlRecordType.Abort or ControlRecordType.Commit))
        {
            throw new CorruptRecordException($"control record type {(short)type} is not a transaction marker");
        }
        if (value.Length < ValueSize)
        {
            throw new CorruptRecordException($"transaction marker value needs {ValueSize} bytes, got {value.Length}");
        }
        short version = BinaryPrimitives.ReadInt16BigEndian(value);
        if (version < 0)
        {
            throw new CorruptRecordException($"transaction marker has version {version}");
        }
        return new EndTransactionMarker(type, BinaryPrimitives.ReadInt32BigEndian(value[2..]));
    }

    /// <summary>Reads the marker of a record from a control batch.</summary>
    public static EndTransactionMarker Read(Record record) => Read(record.Key, record.Value);

    /// <summary>
    /// Builds the control batch that carries this marker: transactional, control, one record, no
    /// base sequence. The broker writes these when a transaction ends.
    /// </summary>
    public byte[] ToBatch(long producerId, short producerEpoch, long timestamp, long baseOffset = 0, int partitionLeaderEpoch = -1)
    {
        if (Type is not (ControlRecordType.Abort or ControlRecordType.Commit))
        {
            throw new InvalidOperationException($"a transaction marker is a commit or an abort, not {Type}");
        }
        Span<byte> key = stackalloc byte[ControlRecord.KeySize];
        ControlRecord.WriteKey(key, Type);
        Span<byte> value = stackalloc byte[ValueSize];
        BinaryPrimitives.WriteInt16BigEndian(value, CurrentValueVersion);
        BinaryPrimitives.WriteInt32BigEndian(value[2..], CoordinatorEpoch);

        using var builder = new RecordBatchBuilder(128)
        {
            BaseOffset = baseOffset,
            PartitionLeaderEpoch = partitionLeaderEpoch,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            IsTransactional = true,
            IsControl = true,
        };
        builder.Append(timestamp, key, value);
        return builder.Build().ToArray();
    }
}
