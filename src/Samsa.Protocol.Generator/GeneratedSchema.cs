namespace Samsa.Protocol.Generator;

/// <summary>One schema's generated source plus the facts the API tables need (value equality,
/// so the incremental pipeline can skip unchanged work).</summary>
internal sealed class GeneratedSchema : IEquatable<GeneratedSchema>
{
    public string HintName { get; set; } = "";

    public string Source { get; set; } = "";

    public string Name { get; set; } = "";

    public string Type { get; set; } = "";

    public string Folder { get; set; } = "";

    public short ApiKey { get; set; } = -1;

    public short Low { get; set; }

    public short High { get; set; }

    public short FlexibleLow { get; set; }

    public short FlexibleHigh { get; set; }

    public bool LatestVersionUnstable { get; set; }

    public bool Equals(GeneratedSchema? other) =>
        other is not null && HintName == other.HintName && Source == other.Source && Name == other.Name
        && Type == other.Type && Folder == other.Folder && ApiKey == other.ApiKey && Low == other.Low
        && High == other.High && FlexibleLow == other.FlexibleLow && FlexibleHigh == other.FlexibleHigh
        && LatestVersionUnstable == other.LatestVersionUnstable;

    public override bool Equals(object? obj) => Equals(obj as GeneratedSchema);

    public override int GetHashCode() => (HintName.GetHashCode() * 31) ^ Source.Length;
}
