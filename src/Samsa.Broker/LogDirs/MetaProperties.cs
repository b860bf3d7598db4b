using System.Globalization;
using System.Text;
using Samsa.Broker.Config;

namespace Samsa.Broker.LogDirs;

/// <summary>
/// Kafka's <c>meta.properties</c> (version 1, KRaft): the file in every log directory that says
/// which cluster and node the directory belongs to. Layout, Java properties syntax:
/// <code>
/// #Written by samsa storage format
/// version=1
/// cluster.id=&lt;22-char base64url uuid&gt;
/// node.id=&lt;int&gt;
/// directory.id=&lt;22-char base64url uuid, unique per directory&gt;
/// </code>
/// </summary>
public sealed record MetaProperties(string ClusterId, int NodeId, string? DirectoryId)
{
    public const string FileName = "meta.properties";

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>Reads the file in <paramref name="directory"/>; null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a usable version 1 file.</exception>
    public static MetaProperties? TryRead(string directory)
    {
        string path = PathIn(directory);
        if (!File.Exists(path)) return null;
        Dictionary<string, string> props;
        try
        {
            props = PropertiesFile.Load(path);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
        string version = props.GetValueOrDefault("version", "");
        if (version != "1")
        {
            throw new InvalidDataException($"{path}: version={version} is not supported (expected version=1, a KRaft-formatted directory)");
        }
        if (!props.TryGetValue("cluster.id", out var clusterId) || clusterId.Length == 0)
        {
            throw new InvalidDataException($"{path}: cluster.id is missing");
        }
        if (!props.TryGetValue("node.id", out var node) || !int.TryParse(node, NumberStyles.None, CultureInfo.InvariantCulture, out int nodeId))
        {
            throw new InvalidDataException($"{path}: node.id is missing or not a number");
        }
        return new MetaProperties(clusterId, nodeId, props.GetValueOrDefault("directory.id"));
    }

    /// <summary>Writes the file atomically (temp file, flush, rename).</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var sb = new StringBuilder();
        sb.Append("#Written by samsa storage format\n");
        sb.Append("version=1\n");
        sb.Append("cluster.id=").Append(ClusterId).Append('\n');
        sb.Append("node.id=").Append(NodeId.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (DirectoryId is not null) sb.Append("directory.id=").Append(DirectoryId).Append('\n');

        string path = PathIn(directory);
        string tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(sb.ToString()));
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
