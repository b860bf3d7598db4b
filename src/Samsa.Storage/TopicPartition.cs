namespace Samsa.Storage;

/// <summary>A partition of a topic; its log directory is named <c>&lt;topic&gt;-&lt;partition&gt;</c>.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";

    /// <summary>Parses a partition directory name; topic names may themselves contain '-'.</summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition tp)
    {
        tp = default;
        int dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1) return false;
        if (!int.TryParse(name.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out int p)) return false;
        tp = new TopicPartition(name[..dash], p);
        return true;
    }
}
