namespace Samsa.Broker.Groups;

/// <summary>An offset committed for one partition, as stored in <c>__consumer_offsets</c>.</summary>
/// <param name="ExpireTimestamp">-1 unless the commit asked for its own retention (OffsetCommit v2-4, or a v1 record).</param>
public sealed record CommittedOffset(long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp, long ExpireTimestamp = -1);
