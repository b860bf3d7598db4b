using System.Globalization;
using System.Text.RegularExpressions;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>How consumer-groups --reset-offsets picks the new offsets (exactly one is given).</summary>
internal abstract record ResetSpec
{
    public sealed record ToEarliest : ResetSpec;
    public sealed record ToLatest : ResetSpec;
    public sealed record ToCurrent : ResetSpec;
    public sealed record ToOffset(long Offset) : ResetSpec;
    public sealed record ShiftBy(long Delta) : ResetSpec;
    /// <summary>--to-datetime and --by-duration: the first offset at or after this time.</summary>
    public sealed record ToTimestamp(DateTimeOffset Time) : ResetSpec;
}

/// <summary>The offsets a partition's log has now (log start and end).</summary>
internal readonly record struct LogOffsets(long Earliest, long Latest);

/// <summary>
/// Computes --reset-offsets targets the way Kafka does: explicit offsets and shifts are clamped to the
/// partition's [log start, log end]; a time with no record at or after it means the log end.
/// </summary>
internal static class OffsetResetPlan
{
    /// <param name="committed">The group's committed offsets (missing: none).</param>
    /// <param name="logOffsets">Each partition's log start and end.</param>
    /// <param name="offsetsForTime">For <see cref="ResetSpec.ToTimestamp"/>: ListOffsets by time (-1: none).</param>
    public static SortedDictionary<TopicPartition, long> Plan(ResetSpec spec, IEnumerable<TopicPartition> partitions,
        IReadOnlyDictionary<TopicPartition, long> committed, IReadOnlyDictionary<TopicPartition, LogOffsets> logOffsets,
        IReadOnlyDictionary<TopicPartition, long>? offsetsForTime = null)
    {
        var plan = new SortedDictionary<TopicPartition, long>(TopicPartition.Comparer);
        foreach (var tp in partitions)
        {
            if (!logOffsets.TryGetValue(tp, out var log)) throw new ToolException($"No offsets are known for partition {tp}.");
            long target = spec switch
            {
                ResetSpec.ToEarliest => log.Earliest,
                ResetSpec.ToLatest => log.Latest,
                ResetSpec.ToCurrent => committed.TryGetValue(tp, out long c) ? c : log.Latest,
                ResetSpec.ToOffset o => Clamp(o.Offset, log),
                ResetSpec.ShiftBy s => committed.TryGetValue(tp, out long c)
                    ? Clamp(SaturatingAdd(c, s.Delta), log)
                    : throw new ToolException($"Cannot shift offset for partition {tp} since there is no current committed offset"),
                ResetSpec.ToTimestamp => offsetsForTime is not null && offsetsForTime.TryGetValue(tp, out long t) && t >= 0 ? Clamp(t, log) : log.Latest,
                _ => throw new ToolException("Unknown reset specification."),
            };
            plan[tp] = target;
        }
        return plan;
    }

    private static long Clamp(long offset, LogOffsets log) => offset < log.Earliest ? log.Earliest : offset > log.Latest ? log.Latest : offset;

    private static long SaturatingAdd(long a, long b)
    {
        long r = unchecked(a + b);
        if (((a ^ r) & (b ^ r)) < 0) return b > 0 ? long.MaxValue : long.MinValue;
        return r;
    }

    /// <summary>
    /// --to-datetime: 'YYYY-MM-DDTHH:mm:SS.sss' with an optional zone ('Z', '+hh:mm', '+hhmm');
    /// without one it is local time, as Kafka reads it.
    /// </summary>
    public static DateTimeOffset ParseDateTime(string text)
    {
        string[] zoned = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss'Z'"];
        string[] local = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm"];
        string normalized = Regex.Replace(text.Trim(), @"([+-]\d\d)(\d\d)$", "$1:$2");
        if (normalized.EndsWith('Z') && DateTime.TryParseExact(normalized, zoned, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            return new DateTimeOffset(utc, TimeSpan.Zero);
        }
        if (DateTimeOffset.TryParseExact(normalized, zoned, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withZone)) return withZone;
        if (DateTime.TryParseExact(normalized, local, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var plain)) return new DateTimeOffset(plain);
        throw new ToolException($"Error parsing timestamp '{text}'. It does not conform to the format 'YYYY-MM-DDTHH:mm:SS.sss' (optionally with a zone such as Z or +01:00).");
    }

    /// <summary>--by-duration: an ISO-8601 duration 'PnDTnHnMnS' (a leading '-' is not allowed).</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var m = Regex.Match(text.Trim(), @"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        if (!m.Success || text.Trim().Length <= 1 || text.Trim().EndsWith('T'))
            throw new ToolException($"Error parsing duration '{text}'. It does not conform to the ISO-8601 format 'PnDTnHnMnS'.");
        double Part(int i) => m.Groups[i].Success ? double.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        return TimeSpan.FromDays(Part(1)) + TimeSpan.FromHours(Part(2)) + TimeSpan.FromMinutes(Part(3)) + TimeSpan.FromSeconds(Part(4));
    }

    /// <summary>A --topic value of reset-offsets: <c>topic</c> (every partition) or <c>topic:0,1,2</c>.</summary>
    public static (string Topic, List<int>? Partitions) ParseTopicScope(string value)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return (value, null);
        string topic = value[..colon];
        var partitions = new List<int>();
        foreach (var part in value[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int p))
                throw new ToolException($"Invalid partition '{part}' in --topic {value}: expected topic:partition[,partition...].");
            partitions.Add(p);
        }
        if (topic.Length == 0 || partitions.Count == 0) throw new ToolException($"Invalid --topic {value}: expected topic or topic:partition[,partition...].");
        return (topic, partitions);
    }
}
