using System.CommandLine;
using Samsa.Client;
using Samsa.Protocol;

namespace Samsa.Cli.Tools;

/// <summary>
/// <c>samsa topics</c> (kafka-topics): create, list, describe, alter (partitions) and delete topics,
/// with Kafka's options and output.
/// </summary>
internal static class TopicsCommand
{
    internal const string ErrorPrefix = "Error while executing topic command : ";

    private static readonly Option<string> s_bootstrap = ClientSetup.BootstrapServerOption();
    private static readonly Option<string> s_commandConfig = ClientSetup.CommandConfigOption();
    private static readonly Option<string> s_topic = new("--topic") { Description = "The topic to create, alter, describe or delete; a regular expression for all but --create." };
    private static readonly Option<bool> s_create = new("--create") { Description = "Create a new topic." };
    private static readonly Option<bool> s_list = new("--list") { Description = "List all available topics." };
    private static readonly Option<bool> s_describe = new("--describe") { Description = "List details for the given topics." };
    private static readonly Option<bool> s_alter = new("--alter") { Description = "Alter the number of partitions of a topic." };
    private static readonly Option<bool> s_delete = new("--delete") { Description = "Delete a topic." };
    private static readonly Option<int?> s_partitions = new("--partitions") { Description = "The number of partitions for the topic being created or altered." };
    private static readonly Option<int?> s_replicationFactor = new("--replication-factor") { Description = "The replication factor for each partition of the topic being created (default: the broker's)." };
    private static readonly Option<string[]> s_config = new("--config") { Description = "A topic configuration override name=value for the topic being created (repeatable)." };
    private static readonly Option<bool> s_ifNotExists = new("--if-not-exists") { Description = "With --create: do nothing when the topic exists." };
    private static readonly Option<bool> s_ifExists = new("--if-exists") { Description = "With --alter, --describe or --delete: do nothing when the topic does not exist." };
    private static readonly Option<bool> s_excludeInternal = new("--exclude-internal") { Description = "Leave internal topics out of --list and --describe." };
    private static readonly Option<bool> s_underReplicated = new("--under-replicated-partitions") { Description = "With --describe: only partitions whose ISR is smaller than their replica set." };
    private static readonly Option<bool> s_unavailable = new("--unavailable-partitions") { Description = "With --describe: only partitions without a leader." };
    private static readonly Option<bool> s_underMinIsr = new("--under-min-isr-partitions") { Description = "With --describe: only partitions whose ISR is below min.insync.replicas." };
    private static readonly Option<bool> s_atMinIsr = new("--at-min-isr-partitions") { Description = "With --describe: only partitions whose ISR equals min.insync.replicas." };
    private static readonly Option<bool> s_withOverrides = new("--topics-with-overrides") { Description = "With --describe: only topics that override configs." };
    private static readonly Option<string> s_replicaAssignment = new("--replica-assignment") { Description = "Manual partition-to-broker assignment (not supported; placement is the controller's)." };

    public static Command Create()
    {
        var command = new Command("topics", "Create, delete, describe, or change a topic (kafka-topics).");
        foreach (var o in new Option[] { s_bootstrap, s_commandConfig, s_topic, s_create, s_list, s_describe, s_alter, s_delete, s_partitions,
            s_replicationFactor, s_config, s_ifNotExists, s_ifExists, s_excludeInternal, s_underReplicated, s_unavailable, s_underMinIsr,
            s_atMinIsr, s_withOverrides, s_replicaAssignment })
        {
            command.Options.Add(o);
        }
        ToolRunner.SetAction(command, ErrorPrefix, RunAsync);
        return command;
    }

    internal enum Action { Create, List, Describe, Alter, Delete }

    /// <summary>The checks Kafka's TopicCommand makes before it talks to the cluster.</summary>
    internal static Action Validate(ParseResult parse)
    {
        var actions = new List<Action>();
        if (parse.GetValue(s_create)) actions.Add(Action.Create);
        if (parse.GetValue(s_list)) actions.Add(Action.List);
        if (parse.GetValue(s_describe)) actions.Add(Action.Describe);
        if (parse.GetValue(s_alter)) actions.Add(Action.Alter);
        if (parse.GetValue(s_delete)) actions.Add(Action.Delete);
        if (actions.Count != 1) throw new ToolException("Command must include exactly one action: --list, --describe, --create, --alter or --delete");
        ClientSetup.RequireBootstrap(parse.GetValue(s_bootstrap));
        var action = actions[0];
        string? topic = parse.GetValue(s_topic);
        if (action is Action.Create or Action.Alter or Action.Delete && string.IsNullOrEmpty(topic))
            throw new ToolException("Missing required argument \"[topic]\"");
        if (action == Action.Create && TopicFilter.Illegal(topic!) is { } illegal) throw new ToolException(illegal);
        if (parse.GetValue(s_partitions) is { } partitions && partitions < 1) throw new ToolException("The partitions must be greater than 0");
        if (parse.GetValue(s_replicationFactor) is { } rf && (rf < 1 || rf > short.MaxValue))
            throw new ToolException("The replication factor must be between 1 and 32767 inclusive");
        if (action == Action.Alter && parse.GetValue(s_partitions) is null)
            throw new ToolException("Missing required argument \"[partitions]\" (with --bootstrap-server, --alter only changes the partition count; use configs to change topic configs)");
        if (action != Action.Create && parse.GetValue(s_config) is { Length: > 0 })
            throw new ToolException("Option \"[config]\" can only be used with \"[create]\"; use configs --alter to change topic configs");
        if (parse.GetValue(s_replicaAssignment) is not null) throw new ToolException("--replica-assignment is not supported: the controller places replicas");
        if (action == Action.Create && parse.GetValue(s_ifExists)) throw new ToolException("Option \"[if-exists]\" can't be used with option \"[create]\"");
        if (action != Action.Create && parse.GetValue(s_ifNotExists)) throw new ToolException("Option \"[if-not-exists]\" can only be used with option \"[create]\"");
        if (action == Action.Create) KafkaProperties.ParsePairs(parse.GetValue(s_config), "--config");
        return action;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var action = Validate(parse);
        await using var admin = ClientSetup.CreateAdmin(parse.GetValue(s_bootstrap)!, parse.GetValue(s_commandConfig));
        return action switch
        {
            Action.Create => await CreateAsync(admin, parse, cancellationToken),
            Action.List => await ListAsync(admin, parse, cancellationToken),
            Action.Describe => await DescribeAsync(admin, parse, cancellationToken),
            Action.Alter => await AlterAsync(admin, parse, cancellationToken),
            _ => await DeleteAsync(admin, parse, cancellationToken),
        };
    }

    private static async Task<int> CreateAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        string topic = parse.GetValue(s_topic)!;
        if (topic.Contains('.', StringComparison.Ordinal) || topic.Contains('_', StringComparison.Ordinal))
        {
            Console.WriteLine("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.");
        }
        var newTopic = new NewTopic(topic, parse.GetValue(s_partitions) ?? -1, (short)(parse.GetValue(s_replicationFactor) ?? -1))
        {
            Configs = KafkaProperties.ParsePairs(parse.GetValue(s_config), "--config"),
        };
        try
        {
            await admin.CreateTopicsAsync([newTopic], cancellationToken: cancellationToken);
        }
        catch (AdminException e) when (parse.GetValue(s_ifNotExists) && e.Results.All(r => r.IsSuccess || r.Error == ErrorCode.TopicAlreadyExists))
        {
            return 0;
        }
        Console.WriteLine($"Created topic {topic}.");
        return 0;
    }

    private static async Task<List<string>> MatchingTopicsAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var filter = TopicFilter.Parse(parse.GetValue(s_topic));
        bool excludeInternal = parse.GetValue(s_excludeInternal);
        var names = await admin.ListTopicsAsync(listInternal: !excludeInternal, cancellationToken);
        var matching = names.Where(filter.Matches).ToList();
        if (matching.Count == 0 && filter.IsLiteral && !parse.GetValue(s_ifExists))
            throw new ToolException($"Topic '{filter.Literal}' does not exist as expected");
        return matching;
    }

    private static async Task<int> ListAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var filter = TopicFilter.Parse(parse.GetValue(s_topic));
        var names = await admin.ListTopicsAsync(listInternal: !parse.GetValue(s_excludeInternal), cancellationToken);
        foreach (var name in names)
        {
            if (filter.Matches(name)) Console.WriteLine(name);
        }
        return 0;
    }

    private static async Task<int> DescribeAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var names = await MatchingTopicsAsync(admin, parse, cancellationToken);
        if (names.Count == 0) return 0;
        var topics = await admin.DescribeTopicsAsync(names, cancellationToken);
        IReadOnlyDictionary<ConfigResource, IReadOnlyList<ConfigEntry>> configs;
        try
        {
            configs = await admin.DescribeConfigsAsync(names.Select(n => new ConfigResource(ConfigResourceType.Topic, n)), cancellationToken);
        }
        catch (KafkaException e) when (e.ErrorCode is ErrorCode.UnsupportedVersion or ErrorCode.InvalidRequest || e is AdminException)
        {
            configs = new Dictionary<ConfigResource, IReadOnlyList<ConfigEntry>>();
        }

        bool underReplicated = parse.GetValue(s_underReplicated), unavailable = parse.GetValue(s_unavailable);
        bool underMinIsr = parse.GetValue(s_underMinIsr), atMinIsr = parse.GetValue(s_atMinIsr);
        bool partitionFilter = underReplicated || unavailable || underMinIsr || atMinIsr;
        bool withOverrides = parse.GetValue(s_withOverrides);
        foreach (var topic in topics.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            configs.TryGetValue(new ConfigResource(ConfigResourceType.Topic, topic.Name), out var entries);
            if (withOverrides && TopicDescriptionFormat.ConfigList(entries).Length == 0) continue;
            if (!partitionFilter) Console.WriteLine(TopicDescriptionFormat.TopicLine(topic, entries));
            if (withOverrides) continue;
            int minIsr = MinInsyncReplicas(entries);
            foreach (var p in topic.Partitions)
            {
                if (partitionFilter)
                {
                    bool show = (underReplicated && p.Isr.Length < p.Replicas.Length)
                        || (unavailable && p.Leader < 0)
                        || (underMinIsr && p.Isr.Length < minIsr)
                        || (atMinIsr && p.Isr.Length == minIsr);
                    if (!show) continue;
                }
                Console.WriteLine(TopicDescriptionFormat.PartitionLine(topic.Name, p));
            }
        }
        return 0;
    }

    private static int MinInsyncReplicas(IReadOnlyList<ConfigEntry>? entries)
    {
        var entry = entries?.FirstOrDefault(e => e.Name == "min.insync.replicas");
        return entry?.Value is { } v && int.TryParse(v, out int n) ? n : 1;
    }

    private static async Task<int> AlterAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var names = await MatchingTopicsAsync(admin, parse, cancellationToken);
        if (names.Count == 0) return 0;
        int partitions = parse.GetValue(s_partitions)!.Value;
        await admin.CreatePartitionsAsync(names.ToDictionary(n => n, _ => partitions), cancellationToken: cancellationToken);
        return 0;
    }

    private static async Task<int> DeleteAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var names = await MatchingTopicsAsync(admin, parse, cancellationToken);
        foreach (var name in names)
        {
            if (name is "__consumer_offsets" or "__transaction_state")
                throw new ToolException($"Topic {name} is a kafka internal topic and is not allowed to be marked for deletion.");
        }
        if (names.Count == 0) return 0;
        await admin.DeleteTopicsAsync(names, cancellationToken);
        return 0;
    }
}
