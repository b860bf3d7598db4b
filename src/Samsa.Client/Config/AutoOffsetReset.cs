namespace Samsa.Client;

/// <summary>auto.offset.reset: where to start when a partition has no committed offset.</summary>
public enum AutoOffsetReset
{
    Latest,
    Earliest,
    /// <summary>none: throw <see cref="OffsetOutOfRangeException"/>.</summary>
    None,
}

/// <summary>isolation.level.</summary>
public enum IsolationLevel : sbyte
{
    ReadUncommitted = 0,
    ReadCommitted = 1,
}
