using System.Buffers;
using Samsa.Broker.Replicas;
using Samsa.Broker.Requests;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;
using Samsa.Storage;

namespace Samsa.Broker.Apis;

/// <summary>
/// Fetch (key 1), versions 0-17.
/// <list type="bullet">
/// <item>Records go from the segment files into one pooled buffer per response without decoding
/// (no sendfile yet); a fetch offset inside a batch returns that whole batch; the first partition
/// with data returns at least one whole batch even above the limits (KIP-74).</item>
/// <item>Long poll: when fewer than <c>min_bytes</c> are readable the fetch waits in the purgatory
/// until appends bring enough, the partition changes, or <c>max_wait_ms</c> passes.</item>
/// <item>Fetch sessions (KIP-227): every answer is a full, sessionless one (session id 0). A request
/// for a new session (epoch 0) is declined that way, which the protocol allows; an incremental
/// request (epoch &gt; 0) gets FETCH_SESSION_ID_NOT_FOUND, or INVALID_FETCH_SESSION_EPOCH without an id.</item>
/// <item>Topic ids from v13 (UNKNOWN_TOPIC_ID); last stable offset = high watermark (no transaction
/// markers yet); aborted transactions empty; preferred read replica -1.</item>
/// <item>Versions 0-3 (clients that read only magic 0/1 message sets, as Kafka 3 still served them):
/// the magic 2 batches read are down-converted, v0-1 to magic 0 and v2-3 to magic 1
/// (<see cref="LegacyMessageSet.DownConvert"/>: headers and control batches dropped), each
/// partition within its <c>partition_max_bytes</c> and the response within <c>max_bytes</c>,
/// except a partition's first converted batch; once converted bytes (larger than the stored ones
/// for small records) have used up <c>max_bytes</c>, the partitions after get no records and are
/// fetched again next time. That path allocates; v4+ never takes it.</item>
/// </list>
/// </summary>
public sealed class FetchHandler : ApiHandler<FetchRequest>
{
    private readonly ReplicaManager _replicaManager;

    public FetchHandler(ReplicaManager replicaManager) => _replicaManager = replicaManager;

    public override short MinVersion => 0;
    public override short MaxVersion => 17;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, FetchRequest request)
    {
        short version = context.ApiVersion;
        var response = new FetchResponse { ThrottleTimeMs = 0, SessionId = 0 };
        if (version >= 7 && request.SessionEpoch > 0)
        {
            response.ErrorCode = (short)(request.SessionId != 0 ? ErrorCode.FetchSessionIdNotFound : ErrorCode.InvalidFetchSessionEpoch);
            return ValueTask.FromResult(ApiResponse.Of(response));
        }

        int replicaId = version >= 15 ? request.ReplicaState.ReplicaId : request.ReplicaId;
        var fetch = new FetchParams(replicaId, request.MaxWaitMs, request.MinBytes, request.MaxBytes, (byte)request.IsolationLevel);
        var states = new List<FetchPartitionState>();
        foreach (FetchRequest.FetchTopic topic in request.Topics)
        {
            string name = topic.Topic;
            ErrorCode topicError = ErrorCode.None;
            if (version >= 13)
            {
                ReplicaManager.KnownTopic? known = _replicaManager.GetTopic(topic.TopicId);
                name = known?.Name ?? "";
                topicError = known is null ? ErrorCode.UnknownTopicId : ErrorCode.None;
            }
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = name, TopicId = topic.TopicId };
            response.Responses.Add(topicResponse);
            foreach (FetchRequest.FetchPartition fp in topic.Partitions)
            {
                Partition? partition = null;
                ErrorCode error = topicError == ErrorCode.None ? _replicaManager.GetLeaderPartition(name, fp.Partition, out partition) : topicError;
                states.Add(new FetchPartitionState(new TopicPartition(name, fp.Partition), partition, error,
                    fp.FetchOffset, Math.Max(fp.PartitionMaxBytes, 0), version >= 9 ? fp.CurrentLeaderEpoch : -1));
                topicResponse.Partitions.Add(new FetchResponse.PartitionData { PartitionIndex = fp.Partition });
            }
        }

        _replicaManager.ReadFromLocalLog(fetch, states);
        if (fetch.MaxWaitMs <= 0 || states.Count == 0 || CanAnswerNow(fetch, states))
        {
            return ValueTask.FromResult(Complete(response, version, fetch, states));
        }

        // Not enough yet: release the file leases and wait in the purgatory for appends.
        var keys = new List<TopicPartition>(states.Count);
        foreach (FetchPartitionState s in states)
        {
            s.ReleaseRead();
            if (s.Partition is not null && !keys.Contains(s.TopicPartition))
            {
                keys.Add(s.TopicPartition);
            }
        }
        // Completed on the thread-pool item the purgatory queues (never on the appending thread), so the
        // connection's write loop awaiting it goes on right there: one hop between append and answer.
        var completion = new TaskCompletionSource<ApiResponse>();
        var delayed = new DelayedFetch(_replicaManager, fetch, states, () =>
        {
            try
            {
                _replicaManager.ReadFromLocalLog(fetch, states);
                completion.TrySetResult(Complete(response, version, fetch, states));
            }
            catch (Exception e)
            {
                foreach (FetchPartitionState s in states)
                {
                    s.ReleaseRead();
                }
                completion.TrySetException(e);
            }
        });
        _replicaManager.FetchPurgatory.TryCompleteElseWatch(delayed, keys, TimeSpan.FromMilliseconds(fetch.MaxWaitMs), context.CancellationToken);
        return ValueTask.FromResult(ApiResponse.Later(completion.Task));
    }

    /// <summary>Kafka answers at once on any error or when min_bytes are there.</summary>
    private static bool CanAnswerNow(in FetchParams fetch, List<FetchPartitionState> states)
    {
        long bytes = 0;
        foreach (FetchPartitionState s in states)
        {
            if (s.Error != ErrorCode.None)
            {
                return true;
            }
            bytes += s.ReadBytes;
        }
        return bytes >= fetch.MinBytes;
    }

    /// <summary>Copies the read regions into one pooled buffer and fills the partitions of the response.</summary>
    private static ApiResponse Complete(FetchResponse response, short version, in FetchParams fetch, List<FetchPartitionState> states)
    {
        if (version < 4)
        {
            return CompleteDownConverted(response, version, fetch, states);
        }
        long total = 0;
        foreach (FetchPartitionState s in states)
        {
            total += s.Read?.Length ?? 0;
        }
        PooledBuffer? buffer = total > 0 ? new PooledBuffer((int)Math.Min(total, Array.MaxLength)) : null;
        int position = 0;
        int i = 0;
        try
        {
            foreach (FetchResponse.FetchableTopicResponse topic in response.Responses)
            {
                foreach (FetchResponse.PartitionData data in topic.Partitions)
                {
                    FetchPartitionState s = states[i++];
                    data.ErrorCode = (short)s.Error;
                    data.PreferredReadReplica = -1;
                    data.AbortedTransactions = fetch.IsolationLevel == 1 ? [] : null;
                    data.Records = ReadOnlyMemory<byte>.Empty;
                    if (s.Read is { } read)
                    {
                        data.HighWatermark = read.HighWatermark;
                        data.LogStartOffset = read.LogStartOffset;
                        data.LastStableOffset = s.Error == ErrorCode.None ? s.LastStableOffset : -1;
                        if (read.Region is { } region && buffer is not null)
                        {
                            int n = region.Read(0, buffer.Array.AsSpan(position, region.Length));
                            data.Records = buffer.Array.AsMemory(position, n);
                            position += n;
                        }
                    }
                    else
                    {
                        data.HighWatermark = -1;
                        data.LogStartOffset = -1;
                        data.LastStableOffset = -1;
                    }
                    if (version >= 12 && s.Error is ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch && s.Partition is { } p)
                    {
                        data.CurrentLeader.LeaderId = p.Leadership.LeaderId;
                        data.CurrentLeader.LeaderEpoch = p.LeaderEpoch;
                    }
                }
            }
        }
        catch
        {
            buffer?.Dispose();
            throw;
        }
        finally
        {
            foreach (FetchPartitionState s in states)
            {
                s.ReleaseRead();
            }
        }
        return ApiResponse.Of(response, buffer);
    }

    /// <summary>Fetch v0-3: like <see cref="Complete"/>, with each partition's batches rewritten as a magic 0/1 message set.</summary>
    private static ApiResponse CompleteDownConverted(FetchResponse response, short version, in FetchParams fetch, List<FetchPartitionState> states)
    {
        byte magic = version <= 1 ? LegacyMessageLayout.MagicV0 : LegacyMessageLayout.MagicV1;
        var output = new ArrayBufferWriter<byte>();
        var ranges = new (int Start, int Length)[states.Count];
        long budget = fetch.MaxBytes;
        int i = 0;
        try
        {
            foreach (FetchResponse.FetchableTopicResponse topic in response.Responses)
            {
                foreach (FetchResponse.PartitionData data in topic.Partitions)
                {
                    FetchPartitionState s = states[i];
                    data.ErrorCode = (short)s.Error;
                    data.HighWatermark = s.Read?.HighWatermark ?? -1;
                    if (s.Read?.Region is { } region && (budget > 0 || output.WrittenCount == 0))
                    {
                        byte[] read = ArrayPool<byte>.Shared.Rent(region.Length);
                        try
                        {
                            int n = region.Read(0, read.AsSpan(0, region.Length));
                            int limit = (int)Math.Clamp(Math.Min(s.PartitionMaxBytes, budget), 0, int.MaxValue);
                            int start = output.WrittenCount;
                            int converted = LegacyMessageSet.DownConvert(read.AsSpan(0, n), magic, s.FetchOffset, limit, output);
                            ranges[i] = (start, converted);
                            budget -= converted;
                        }
                        catch (CorruptRecordException)
                        {
                            data.ErrorCode = (short)ErrorCode.CorruptMessage;
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(read);
                        }
                    }
                    i++;
                }
            }
        }
        finally
        {
            foreach (FetchPartitionState s in states)
            {
                s.ReleaseRead();
            }
        }
        // The writer may have moved its buffer while growing: slice only once it is complete.
        ReadOnlyMemory<byte> all = output.WrittenMemory;
        i = 0;
        foreach (FetchResponse.FetchableTopicResponse topic in response.Responses)
        {
            foreach (FetchResponse.PartitionData data in topic.Partitions)
            {
                (int start, int length) = ranges[i++];
                data.Records = all.Slice(start, length);
            }
        }
        return ApiResponse.Of(response);
    }
}
