namespace Samsa.Broker.Groups;

/// <summary>
/// One member of a classic group: what it supports, its timeouts, its assignment, and the
/// JoinGroup/SyncGroup answers it is waiting for. Guarded by the lock of its group.
/// </summary>
public sealed class MemberMetadata
{
    public MemberMetadata(string memberId, string? groupInstanceId, string clientId, string clientHost,
        int rebalanceTimeoutMs, int sessionTimeoutMs, string protocolType, IReadOnlyList<GroupProtocol> protocols)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
        RebalanceTimeoutMs = rebalanceTimeoutMs;
        SessionTimeoutMs = sessionTimeoutMs;
        ProtocolType = protocolType;
        Protocols = protocols;
    }

    /// <summary>Changes when a static member is replaced by a new instance of itself.</summary>
    public string MemberId { get; internal set; }

    public string? GroupInstanceId { get; }
    public string ClientId { get; internal set; }
    public string ClientHost { get; internal set; }
    public int RebalanceTimeoutMs { get; internal set; }
    public int SessionTimeoutMs { get; internal set; }
    public string ProtocolType { get; }

    /// <summary>The supported protocols in the member's order of preference.</summary>
    public IReadOnlyList<GroupProtocol> Protocols { get; internal set; }

    /// <summary>What the leader assigned to this member in the current generation (empty until then).</summary>
    public byte[] Assignment { get; internal set; } = [];

    /// <summary>Joined but not yet through a completed join (a new member gets a longer grace).</summary>
    public bool IsNew { get; internal set; }

    public bool IsStatic => GroupInstanceId is not null;

    internal TaskCompletionSource<JoinGroupResult>? AwaitingJoin { get; set; }
    internal TaskCompletionSource<SyncGroupResult>? AwaitingSync { get; set; }

    /// <summary>When the member is considered gone unless it heartbeats (ms since the epoch).</summary>
    internal long HeartbeatDeadline { get; set; }

    internal ITimer? HeartbeatTimer { get; set; }

    public bool IsAwaitingJoin => AwaitingJoin is not null;
    public bool IsAwaitingSync => AwaitingSync is not null;

    /// <summary>The metadata this member sent for <paramref name="protocol"/>, or empty.</summary>
    public byte[] MetadataFor(string? protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol) return p.Metadata;
        }
        return [];
    }

    public bool Supports(string protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol) return true;
        }
        return false;
    }

    /// <summary>Same protocols, same order, same metadata: a rejoin with these changes nothing.</summary>
    public bool MatchesProtocols(IReadOnlyList<GroupProtocol> protocols)
    {
        if (protocols.Count != Protocols.Count) return false;
        for (int i = 0; i < protocols.Count; i++)
        {
            if (protocols[i].Name != Protocols[i].Name || !protocols[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata)) return false;
        }
        return true;
    }

    internal void CompleteJoin(JoinGroupResult result)
    {
        var tcs = AwaitingJoin;
        AwaitingJoin = null;
        tcs?.TrySetResult(result);
    }

    internal void CompleteSync(SyncGroupResult result)
    {
        var tcs = AwaitingSync;
        AwaitingSync = null;
        tcs?.TrySetResult(result);
    }
}
