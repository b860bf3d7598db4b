using System.Globalization;
using System.Text;
using Samsa.Storage.Files;

namespace Samsa.Storage.Checkpoints;

/// <summary>
/// Kafka's per-log-dir offset checkpoint files (<c>recovery-point-offset-checkpoint</c>,
/// <c>log-start-offset-checkpoint</c>, <c>replication-offset-checkpoint</c>). Text: a version line
/// (0), a count line, then one <c>topic partition offset</c> line per partition. Written atomically.
/// Thread-safety: stateless; callers serialise writes to one file.
/// </summary>
internal static class OffsetCheckpointFile
{
    public const string RecoveryPoint = "recovery-point-offset-checkpoint";
    public const string LogStartOffset = "log-start-offset-checkpoint";
    public const string HighWatermark = "replication-offset-checkpoint";

    public static void Write(string path, IEnumerable<KeyValuePair<TopicPartition, long>> offsets)
    {
        var body = new StringBuilder();
        int n = 0;
        foreach ((TopicPartition tp, long offset) in offsets)
        {
            body.Append(tp.Topic).Append(' ').Append(tp.Partition.ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(offset.ToString(CultureInfo.InvariantCulture)).Append('\n');
            n++;
        }
        AtomicFile.WriteAllText(path, "0\n" + n.ToString(CultureInfo.InvariantCulture) + "\n" + body);
    }

    /// <summary>Reads a checkpoint; a missing file is empty, a malformed one throws naming the file and line.</summary>
    public static Dictionary<TopicPartition, long> Read(string path)
    {
        var result = new Dictionary<TopicPartition, long>();
        if (!File.Exists(path))
        {
            return result;
        }
        string[] lines = File.ReadAllLines(path);
        if (lines.Length < 2 || lines[0].Trim() != "0" || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || lines.Length < 2 + count)
        {
            throw new InvalidDataException($"{path}: malformed checkpoint header");
        }
        for (int i = 0; i < count; i++)
        {
            string[] parts = lines[2 + i].Split(' ');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int partition)
                || !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long offset))
            {
                throw new InvalidDataException($"{path}: malformed line {i + 3}: '{lines[2 + i]}'");
            }
            result[new TopicPartition(parts[0], partition)] = offset;
        }
        return result;
    }
}
