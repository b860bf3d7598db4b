using Samsa.Protocol;

namespace Samsa.Client.Consumer;

/// <summary>
/// One partition's answer from a fetch, consumed across polls: <see cref="BatchPosition"/> is the
/// byte offset of the next batch in <see cref="Records"/> and <see cref="NextOffset"/> the next
/// record to hand out (a batch may begin before the fetch offset).
/// </summary>
internal sealed class CompletedFetch
{
    public required TopicPartition Partition { get; init; }
    public required int StateEpoch { get; init; }
    public required long FetchOffset { get; init; }
    public ReadOnlyMemory<byte> Records { get; init; }
    /// <summary>The offset after the answer's last whole batch: where the next fetch may start while this one is handed out.</summary>
    public long EndOffset { get; init; }
    public ErrorCode Error { get; init; }
    public long HighWatermark { get; init; } = -1;
    public List<(long ProducerId, long FirstOffset)>? AbortedTransactions { get; init; }
    public HashSet<long>? AbortedProducers { get; set; }
    public int BatchPosition { get; set; }
    public long NextOffset { get; set; }
    public bool Initialized { get; set; }
}
