using System.Text.RegularExpressions;

namespace Samsa.Client.Consumer;

/// <summary>
/// What the consumer reads and where: the subscription (topics or pattern) or manual assignment,
/// and per assigned partition its position, pause flag and pending reset. Touched only by the
/// polling thread (and the fetch completions under the consumer's lock).
/// </summary>
internal sealed class SubscriptionState
{
    private readonly Dictionary<TopicPartition, PartitionState> _assigned = [];

    public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);
    public Regex? Pattern { get; private set; }
    public bool IsManual { get; private set; }
    public bool IsSubscribed => !IsManual && (Topics.Count > 0 || Pattern is not null);

    public IReadOnlyCollection<TopicPartition> Assigned => _assigned.Keys;

    public IEnumerable<KeyValuePair<TopicPartition, PartitionState>> States => _assigned;

    public void Subscribe(IEnumerable<string> topics)
    {
        if (IsManual && _assigned.Count > 0) throw new InvalidOperationException("Subscribe and Assign cannot be mixed; Unsubscribe first.");
        IsManual = false;
        Pattern = null;
        Topics.Clear();
        Topics.UnionWith(topics);
    }

    public void Subscribe(Regex pattern)
    {
        if (IsManual && _assigned.Count > 0) throw new InvalidOperationException("Subscribe and Assign cannot be mixed; Unsubscribe first.");
        IsManual = false;
        Pattern = pattern;
        Topics.Clear();
    }

    public void AssignManually(IEnumerable<TopicPartition> partitions)
    {
        if (IsSubscribed) throw new InvalidOperationException("Subscribe and Assign cannot be mixed; Unsubscribe first.");
        IsManual = true;
        var wanted = new HashSet<TopicPartition>(partitions);
        foreach (var tp in _assigned.Keys.ToList())
        {
            if (!wanted.Contains(tp)) _assigned.Remove(tp);
        }
        foreach (var tp in wanted) _assigned.TryAdd(tp, new PartitionState());
    }

    public void Unsubscribe()
    {
        Topics.Clear();
        Pattern = null;
        IsManual = false;
        _assigned.Clear();
    }

    /// <summary>Replaces the group assignment; partitions kept keep their positions.</summary>
    public void SetGroupAssignment(IEnumerable<TopicPartition> partitions)
    {
        var wanted = new HashSet<TopicPartition>(partitions);
        foreach (var tp in _assigned.Keys.ToList())
        {
            if (!wanted.Contains(tp)) _assigned.Remove(tp);
        }
        foreach (var tp in wanted) _assigned.TryAdd(tp, new PartitionState());
    }

    public bool TryGet(TopicPartition tp, out PartitionState state) => _assigned.TryGetValue(tp, out state!);

    public PartitionState Get(TopicPartition tp) =>
        _assigned.TryGetValue(tp, out var s) ? s : throw new InvalidOperationException($"{tp} is not assigned to this consumer.");

    public bool Matches(string topic) => Pattern is not null ? Pattern.IsMatch(topic) : Topics.Contains(topic);
}

/// <summary>A reset the next poll performs before fetching.</summary>
internal enum OffsetReset
{
    None,
    Committed,
    Earliest,
    Latest,
}

internal sealed class PartitionState
{
    /// <summary>The next offset to fetch and return; -1 until known.</summary>
    public long Position = -1;
    public int LeaderEpoch = -1;
    public bool Paused;
    public OffsetReset PendingReset = OffsetReset.Committed;
    public long HighWatermark = -1;
    /// <summary>Bumped on seek so fetches started before it are dropped.</summary>
    public int Epoch;
}
