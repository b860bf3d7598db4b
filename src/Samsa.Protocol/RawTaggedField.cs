namespace Samsa.Protocol;

/// <summary>A tagged field this version of Samsa does not know: kept as bytes and written back.</summary>
public sealed record RawTaggedField(int Tag, byte[] Data)
{
    internal static readonly Comparison<RawTaggedField> ByTag = static (a, b) => a.Tag.CompareTo(b.Tag);
}
