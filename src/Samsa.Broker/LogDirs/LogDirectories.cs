using Samsa.Broker.Config;

namespace Samsa.Broker.LogDirs;

/// <summary>
/// Formatting and checking the log directories (<c>log.dirs</c> plus <c>metadata.log.dir</c>),
/// as <c>kafka-storage format</c> and a broker start do.
/// </summary>
public static class LogDirectories
{
    /// <summary>Every directory that must carry a <c>meta.properties</c>.</summary>
    public static IReadOnlyList<string> All(BrokerConfig config)
    {
        var dirs = new List<string>(config.LogDirs);
        if (!dirs.Contains(config.MetadataLogDir)) dirs.Add(config.MetadataLogDir);
        return dirs;
    }

    /// <summary>True when none of the directories has a <c>meta.properties</c> yet.</summary>
    public static bool NoneFormatted(BrokerConfig config) => !All(config).Any(d => File.Exists(MetaProperties.PathIn(d)));

    /// <summary>
    /// Writes <c>meta.properties</c> into every directory. Returns the directories written; a
    /// directory already formatted is skipped with <paramref name="ignoreFormatted"/>, else it is an error.
    /// </summary>
    /// <exception cref="StorageFormatException">A directory is already formatted, or the cluster id is invalid.</exception>
    public static IReadOnlyList<string> Format(BrokerConfig config, string clusterId, bool ignoreFormatted)
    {
        if (!KafkaUuid.TryParse(clusterId, out var parsed) || KafkaUuid.IsReserved(parsed))
        {
            throw new StorageFormatException($"Cluster id '{clusterId}' is not a valid Kafka uuid (22 characters of URL-safe base64, as `samsa storage random-uuid` prints).");
        }
        var toWrite = new List<string>();
        foreach (var dir in All(config))
        {
            if (File.Exists(MetaProperties.PathIn(dir)))
            {
                if (ignoreFormatted) continue;
                throw new StorageFormatException($"Log directory {dir} is already formatted. Use --ignore-formatted to skip formatted directories and format the others.");
            }
            toWrite.Add(dir);
        }
        foreach (var dir in toWrite)
        {
            new MetaProperties(clusterId, config.NodeId, KafkaUuid.ToString(KafkaUuid.NewRandom())).Write(dir);
        }
        return toWrite;
    }

    /// <summary>
    /// Checks that every directory is formatted for this cluster and node; returns the cluster id.
    /// </summary>
    /// <exception cref="StorageFormatException">Unformatted, foreign or inconsistent directories.</exception>
    public static string Verify(BrokerConfig config)
    {
        string? clusterId = null;
        string? clusterIdDir = null;
        foreach (var dir in All(config))
        {
            MetaProperties? meta;
            try
            {
                meta = MetaProperties.TryRead(dir);
            }
            catch (InvalidDataException e)
            {
                throw new StorageFormatException(e.Message);
            }
            if (meta is null)
            {
                throw new StorageFormatException(
                    $"No meta.properties found in {dir}: the storage is not formatted. Format it first with " +
                    "`samsa storage format -t <cluster-id> -c <server.properties>` (a new cluster id comes from `samsa storage random-uuid`).");
            }
            if (meta.NodeId != config.NodeId)
            {
                throw new StorageFormatException($"{MetaProperties.PathIn(dir)} belongs to node.id {meta.NodeId}, but this node is node.id {config.NodeId}.");
            }
            if (clusterId is null)
            {
                clusterId = meta.ClusterId;
                clusterIdDir = dir;
            }
            else if (clusterId != meta.ClusterId)
            {
                throw new StorageFormatException($"Log directories belong to different clusters: {clusterIdDir} has cluster.id {clusterId}, {dir} has {meta.ClusterId}.");
            }
        }
        return clusterId!;
    }
}

/// <summary>Log directories that are unformatted, formatted for something else, or cannot be formatted.</summary>
public sealed class StorageFormatException : Exception
{
    public StorageFormatException(string message) : base(message) { }

    public StorageFormatException() { }

    public StorageFormatException(string message, Exception innerException) : base(message, innerException) { }
}
