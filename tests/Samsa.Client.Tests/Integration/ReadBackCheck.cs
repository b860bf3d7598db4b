namespace Samsa.Client.Tests.Integration;

/// <summary>
/// Checks records read back after a faulty send: every record index at most once, and rising within
/// its partition (they were sent in rising order, so a retry must neither duplicate nor reorder).
/// </summary>
internal sealed class ReadBackCheck
{
    private readonly HashSet<int> _seen = [];
    private readonly Dictionary<int, int> _lastPerPartition = [];

    /// <summary>Distinct indexes seen so far.</summary>
    public int Count => _seen.Count;

    public void Add(int index, int partition)
    {
        Assert.True(_seen.Add(index), $"record {index} is in the log twice");
        if (_lastPerPartition.TryGetValue(partition, out var previous))
            Assert.True(index > previous, $"record {index} follows {previous} in partition {partition}");
        _lastPerPartition[partition] = index;
    }
}
