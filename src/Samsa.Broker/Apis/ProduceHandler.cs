using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Samsa.Broker.Replicas;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Compression;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Apis;

/// <summary>
/// Produce (key 0), versions 0-11.
/// <list type="bullet">
/// <item>Versions 0-2 carry magic 0/1 message sets (clients of Kafka before 0.11, still served by
/// Kafka 3): every message is checked (CRC and sizes: CORRUPT_MESSAGE; empty sets, nested
/// compression, magic 2: INVALID_RECORD; zstd: UNSUPPORTED_COMPRESSION_TYPE) and up-converted
/// into one magic 2 batch (<see cref="LegacyMessageSet.AppendTo"/>; magic 0 records get no
/// timestamp, -1, unless the topic uses LogAppendTime), which then takes the normal path.</item>
/// <item>Per partition, as Kafka checks a v3+ request: exactly one magic-2 batch (INVALID_RECORD),
/// zstd only from v7 (UNSUPPORTED_COMPRESSION_TYPE), transactional batches only with a
/// transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as Kafka answers without one).</item>
/// <item>The log validates the batch (CRC, sizes, max.message.bytes, timestamps, producer
/// epoch/sequence with retries answered as duplicates) and assigns offsets in place in the request
/// buffer, which belongs to this request alone.</item>
/// <item>acks: 0 (no response; a failed append closes the connection, as in Kafka), 1, -1
/// (NOT_ENOUGH_REPLICAS below min.insync.replicas); anything else INVALID_REQUIRED_ACKS. With an
/// ISR of one, acks=-1 is answered at once.</item>
/// <item>Gaps: record_errors are not itemised (the reason is in error_message); transactional
/// batches are not checked against a transaction coordinator yet.</item>
/// </list>
/// </summary>
public sealed class ProduceHandler : ApiHandler<ProduceRequest>
{
    private const int ZstdCodec = 4;
    private const short TransactionalFlag = 0x10;
    private readonly ReplicaManager _replicaManager;

    public ProduceHandler(ReplicaManager replicaManager) => _replicaManager = replicaManager;

    public override short MinVersion => 0;
    public override short MaxVersion => 11;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ProduceRequest request)
    {
        short version = context.ApiVersion;
        short acks = request.Acks;
        var response = new ProduceResponse { ThrottleTimeMs = 0 };
        string? failed = null;
        foreach (ProduceRequest.TopicProduceData topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (ProduceRequest.PartitionProduceData data in topic.PartitionData)
            {
                var result = new ProduceResponse.PartitionProduceResponse
                {
                    Index = data.Index,
                    BaseOffset = -1,
                    LogAppendTimeMs = -1,
                    LogStartOffset = -1,
                };
                topicResponse.PartitionResponses.Add(result);
                PartitionAppendResult r = Append(version, acks, request.TransactionalId, topic.Name, data);
                result.ErrorCode = (short)r.Error;
                if (r.Error == ErrorCode.None)
                {
                    result.BaseOffset = r.BaseOffset;
                    result.LogAppendTimeMs = r.LogAppendTime;
                    result.LogStartOffset = r.LogStartOffset;
                }
                else
                {
                    failed ??= $"{topic.Name}-{data.Index}: {r.Error}";
                    if (version >= 8)
                    {
                        result.ErrorMessage = r.ErrorMessage;
                    }
                }
            }
        }
        if (acks == 0 && failed is not null)
        {
            // As Kafka does: a producer that asked for no answer learns of the failure from the closed
            // connection, and refreshes its metadata before sending again.
            throw new RejectedRequestException($"acks=0 produce failed ({failed})");
        }
        return ValueTask.FromResult(acks == 0 ? ApiResponse.None : ApiResponse.Of(response));
    }

    private PartitionAppendResult Append(short version, short acks, string? transactionalId, string topic, ProduceRequest.PartitionProduceData data)
    {
        if (acks is not (-1 or 0 or 1))
        {
            return PartitionAppendResult.Fail(ErrorCode.InvalidRequiredAcks, $"acks must be -1, 0 or 1, not {acks}");
        }
        ErrorCode error = _replicaManager.GetLeaderPartition(topic, data.Index, out Partition? partition);
        if (error != ErrorCode.None)
        {
            return PartitionAppendResult.Fail(error, null);
        }
        ReadOnlyMemory<byte> records = data.Records ?? ReadOnlyMemory<byte>.Empty;
        if (version < 3)
        {
            return AppendUpConverted(partition!, records.Span, acks);
        }
        if (Validate(version, transactionalId, records.Span) is { } invalid)
        {
            return invalid;
        }
        // The request body is a private copy owned by this request, so offsets may be written into it.
        Span<byte> writable = MemoryMarshal.AsMemory(records).Span;
        return _replicaManager.AppendToLeader(partition!, writable, acks);
    }

    /// <summary>Produce v0-2: the message set becomes one magic 2 batch, appended as any other.</summary>
    private PartitionAppendResult AppendUpConverted(Partition partition, ReadOnlySpan<byte> messageSet, short acks)
    {
        using var builder = new RecordBatchBuilder(messageSet.Length + RecordBatchLayout.HeaderSize);
        try
        {
            LegacyMessageSet.AppendTo(messageSet, builder);
        }
        catch (InvalidRecordException e)
        {
            return PartitionAppendResult.Fail(ErrorCode.InvalidRecord, e.Message);
        }
        catch (UnsupportedCompressionTypeException e) when (e.CodecId == ZstdCodec)
        {
            return PartitionAppendResult.Fail(ErrorCode.UnsupportedCompressionType, "zstd needs produce v7 or later");
        }
        catch (CorruptRecordException e)
        {
            return PartitionAppendResult.Fail(ErrorCode.CorruptMessage, e.Message);
        }
        Span<byte> batch = MemoryMarshal.AsMemory(builder.Build()).Span;
        return _replicaManager.AppendToLeader(partition, batch, acks);
    }

    /// <summary>Kafka's request-level checks of a v3+ partition's records.</summary>
    private static PartitionAppendResult? Validate(short version, string? transactionalId, ReadOnlySpan<byte> records)
    {
        if (records.Length == 0)
        {
            return PartitionAppendResult.Fail(ErrorCode.InvalidRecord, $"produce requests v{version} must carry one record batch per partition");
        }
        if (records.Length < RecordBatchLayout.HeaderSize)
        {
            return PartitionAppendResult.Fail(ErrorCode.CorruptMessage, $"{records.Length} bytes are too short for a record batch");
        }
        if (records[RecordBatchLayout.MagicOffset] != RecordBatchLayout.CurrentMagic)
        {
            return PartitionAppendResult.Fail(ErrorCode.InvalidRecord, $"produce requests v{version} must use record batch magic 2, not {records[RecordBatchLayout.MagicOffset]}");
        }
        long size = (long)BinaryPrimitives.ReadInt32BigEndian(records[RecordBatchLayout.BatchLengthOffset..]) + RecordBatchLayout.LogOverhead;
        if (size > records.Length || size < RecordBatchLayout.HeaderSize)
        {
            return PartitionAppendResult.Fail(ErrorCode.CorruptMessage, $"the batch declares {size} bytes but {records.Length} were sent");
        }
        if (size < records.Length)
        {
            return PartitionAppendResult.Fail(ErrorCode.InvalidRecord, $"produce requests v{version} may carry only one record batch per partition");
        }
        var header = new RecordBatchHeader(records);
        if (header.CompressionCodec == ZstdCodec && version < 7)
        {
            return PartitionAppendResult.Fail(ErrorCode.UnsupportedCompressionType, $"zstd needs produce v7 or later, not v{version}");
        }
        if ((header.Attributes & TransactionalFlag) != 0)
        {
            if (transactionalId is null)
            {
                return PartitionAppendResult.Fail(ErrorCode.TransactionalIdAuthorizationFailed, "a transactional batch needs a transactional id");
            }
            if (header.ProducerId < 0)
            {
                return PartitionAppendResult.Fail(ErrorCode.InvalidRecord, "a transactional batch needs a producer id");
            }
        }
        return null;
    }
}
