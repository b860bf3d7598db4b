using System.Buffers.Text;
using Samsa.Storage.Files;

namespace Samsa.Storage.Checkpoints;

/// <summary>
/// <c>partition.metadata</c>: the topic id of the partition, so a re-created topic of the same name
/// is not mistaken for the old one. Text: <c>version: 0</c> then <c>topic_id: &lt;id&gt;</c> where the
/// id is Kafka's form of a UUID (its 16 big-endian bytes in URL-safe base64 without padding).
/// </summary>
internal static class PartitionMetadataFile
{
    public static void Write(string dir, Guid topicId) =>
        AtomicFile.WriteAllText(Path.Combine(dir, LogFileNames.PartitionMetadata), $"version: 0\ntopic_id: {ToKafkaString(topicId)}\n");

    public static Guid? Read(string dir)
    {
        string path = Path.Combine(dir, LogFileNames.PartitionMetadata);
        if (!File.Exists(path))
        {
            return null;
        }
        foreach (string line in File.ReadAllLines(path))
        {
            if (line.StartsWith("topic_id:", StringComparison.Ordinal))
            {
                string id = line["topic_id:".Length..].Trim();
                return TryParseKafkaString(id, out Guid g) ? g : throw new InvalidDataException($"{path}: bad topic id '{id}'");
            }
        }
        throw new InvalidDataException($"{path}: no topic_id line");
    }

    public static string ToKafkaString(Guid id) => Base64Url.EncodeToString(id.ToByteArray(bigEndian: true));

    public static bool TryParseKafkaString(string s, out Guid id)
    {
        id = Guid.Empty;
        Span<byte> bytes = stackalloc byte[16];
        if (!Base64Url.TryDecodeFromChars(s, bytes, out int written) || written != 16)
        {
            return false;
        }
        id = new Guid(bytes, bigEndian: true);
        return true;
    }
}
