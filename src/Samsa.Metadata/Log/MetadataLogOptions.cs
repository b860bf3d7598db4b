using Microsoft.Extensions.Logging;

namespace Samsa.Metadata.Log;

/// <summary>Settings of <see cref="RaftMetadataLog"/>.</summary>
public sealed class MetadataLogOptions
{
    /// <summary>The metadata log directory, Kafka's <c>&lt;first log dir&gt;/__cluster_metadata-0</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>This node's id; must be one of <see cref="Voters"/>.</summary>
    public required int NodeId { get; init; }

    /// <summary>Every voter of the quorum, the same list on every node. One voter = a quorum of one.</summary>
    public required IReadOnlyList<QuorumVoter> Voters { get; init; }

    /// <summary>A snapshot is written after this many applied entries.</summary>
    public int SnapshotIntervalEntries { get; init; } = 1000;

    /// <summary>Raft election timeout range in milliseconds.</summary>
    public int LowerElectionTimeoutMs { get; init; } = 150;

    /// <inheritdoc cref="LowerElectionTimeoutMs"/>
    public int UpperElectionTimeoutMs { get; init; } = 300;

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The standard directory name under the first log dir.</summary>
    public const string DirectoryName = "__cluster_metadata-0";
}
