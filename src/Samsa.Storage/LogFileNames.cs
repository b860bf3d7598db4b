using System.Globalization;

namespace Samsa.Storage;

/// <summary>Kafka's file names inside a partition directory: 20-digit zero-padded offsets plus a suffix.</summary>
internal static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string SnapshotSuffix = ".snapshot";
    public const string DeletedSuffix = ".deleted";
    /// <summary>A segment the cleaner is still writing; removed at load.</summary>
    public const string CleanedSuffix = ".cleaned";
    /// <summary>A complete cleaned segment waiting to replace the ones it covers; the swap is finished at load.</summary>
    public const string SwapSuffix = ".swap";
    public const string LeaderEpochCheckpoint = "leader-epoch-checkpoint";
    public const string PartitionMetadata = "partition.metadata";

    public static string OffsetName(long offset) => offset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string dir, long baseOffset) => Path.Combine(dir, OffsetName(baseOffset) + LogSuffix);
    public static string IndexFile(string dir, long baseOffset) => Path.Combine(dir, OffsetName(baseOffset) + IndexSuffix);
    public static string TimeIndexFile(string dir, long baseOffset) => Path.Combine(dir, OffsetName(baseOffset) + TimeIndexSuffix);
    public static string SnapshotFile(string dir, long offset) => Path.Combine(dir, OffsetName(offset) + SnapshotSuffix);

    /// <summary>Parses <c>00000000000000000042.log</c> (with the given suffix) into 42.</summary>
    public static bool TryParseOffset(string fileName, string suffix, out long offset)
    {
        offset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }
        ReadOnlySpan<char> digits = fileName.AsSpan(0, fileName.Length - suffix.Length);
        return digits.Length == 20 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }
}
