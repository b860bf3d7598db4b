using System.CommandLine;
using System.Globalization;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>
/// <c>samsa get-offsets</c> (kafka-get-offsets): the offset of each partition for a time
/// (-1/latest, -2/earliest, -3/max-timestamp or a timestamp in ms), printed <c>topic:partition:offset</c>.
/// </summary>
internal static class GetOffsetsCommand
{
    private static readonly Option<string> s_bootstrap = ClientSetup.BootstrapServerOption();
    private static readonly Option<string> s_commandConfig = ClientSetup.CommandConfigOption();
    private static readonly Option<string> s_topic = new("--topic") { Description = "The topic (a regular expression; default all topics)." };
    private static readonly Option<string> s_partitions = new("--partitions") { Description = "Comma-separated partition ids (default all)." };
    private static readonly Option<string> s_topicPartitions = new("--topic-partitions") { Description = "topic:0,other:1-3,regex... (instead of --topic/--partitions)." };
    private static readonly Option<string> s_time = new("--time") { Description = "-1 or latest (default), -2 or earliest, -3 or max-timestamp, or a timestamp in ms." };
    private static readonly Option<bool> s_excludeInternal = new("--exclude-internal-topics") { Description = "Leave out internal topics." };

    public static Command Create()
    {
        var command = new Command("get-offsets", "Print the offsets of topic partitions for a time (kafka-get-offsets).");
        foreach (var o in new Option[] { s_bootstrap, s_commandConfig, s_topic, s_partitions, s_topicPartitions, s_time, s_excludeInternal })
        {
            command.Options.Add(o);
        }
        ToolRunner.SetAction(command, "Error occurred: ", RunAsync);
        return command;
    }

    internal static OffsetSpec ParseTime(string? time) => time?.Trim().ToLowerInvariant() switch
    {
        null or "-1" or "latest" => OffsetSpec.Latest,
        "-2" or "earliest" => OffsetSpec.Earliest,
        "-3" or "max-timestamp" => OffsetSpec.MaxTimestamp,
        var t when long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) => new OffsetSpec(ms),
        var t => throw new ToolException($"Malformed time argument {t}. Please use -1 or latest / -2 or earliest / -3 or max-timestamp, or a specified long format timestamp"),
    };

    private static HashSet<int>? ParsePartitions(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var result = new HashSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(part[..dash], CultureInfo.InvariantCulture, out int lo) && int.TryParse(part[(dash + 1)..], CultureInfo.InvariantCulture, out int hi))
            {
                for (int p = lo; p <= hi; p++) result.Add(p);
            }
            else if (int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int p)) result.Add(p);
            else throw new ToolException($"Invalid partition '{part}'.");
        }
        return result;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        string bootstrap = ClientSetup.RequireBootstrap(parse.GetValue(s_bootstrap));
        if (parse.GetValue(s_topicPartitions) is not null && (parse.GetValue(s_topic) is not null || parse.GetValue(s_partitions) is not null))
            throw new ToolException("--topic-partitions cannot be used with --topic or --partitions");
        var spec = ParseTime(parse.GetValue(s_time));
        var filters = new List<(TopicFilter Topic, HashSet<int>? Partitions)>();
        if (parse.GetValue(s_topicPartitions) is { } tps)
        {
            foreach (var item in tps.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int colon = item.IndexOf(':', StringComparison.Ordinal);
                filters.Add(colon < 0 ? (TopicFilter.Parse(item), null) : (TopicFilter.Parse(item[..colon]), ParsePartitions(item[(colon + 1)..])));
            }
        }
        else
        {
            filters.Add((TopicFilter.Parse(parse.GetValue(s_topic)), ParsePartitions(parse.GetValue(s_partitions))));
        }

        await using var admin = ClientSetup.CreateAdmin(bootstrap, parse.GetValue(s_commandConfig));
        var names = await admin.ListTopicsAsync(listInternal: !parse.GetValue(s_excludeInternal), cancellationToken);
        var matching = names.Where(n => filters.Exists(f => f.Topic.Matches(n))).ToList();
        if (matching.Count == 0) throw new ToolException($"Could not match any topic-partitions with the specified filters");
        var topics = await admin.DescribeTopicsAsync(matching, cancellationToken);
        var request = new Dictionary<TopicPartition, OffsetSpec>();
        foreach (var t in topics)
        {
            foreach (var p in t.Partitions)
            {
                if (filters.Exists(f => f.Topic.Matches(t.Name) && (f.Partitions is null || f.Partitions.Contains(p.Partition))))
                    request[new TopicPartition(t.Name, p.Partition)] = spec;
            }
        }
        if (request.Count == 0) throw new ToolException("Could not match any topic-partitions with the specified filters");
        var offsets = await admin.ListOffsetsAsync(request, cancellationToken: cancellationToken);
        foreach (var (tp, info) in offsets.OrderBy(kv => kv.Key, TopicPartition.Comparer))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tp.Topic}:{tp.Partition}:{(info.Offset >= 0 ? info.Offset.ToString(CultureInfo.InvariantCulture) : "")}"));
        }
        return 0;
    }
}
