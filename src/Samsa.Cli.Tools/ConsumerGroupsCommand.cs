using System.CommandLine;
using Samsa.Client;
using Samsa.Protocol;

namespace Samsa.Cli.Tools;

/// <summary>
/// <c>samsa consumer-groups</c> (kafka-consumer-groups): list, describe (offsets, members, state),
/// delete groups and reset their offsets, with Kafka's options, tables and messages.
/// </summary>
internal static class ConsumerGroupsCommand
{
    private static readonly Option<string> s_bootstrap = ClientSetup.BootstrapServerOption();
    private static readonly Option<string> s_commandConfig = ClientSetup.CommandConfigOption();
    private static readonly Option<string[]> s_group = new("--group") { Description = "The consumer group (repeatable for --describe and --delete)." };
    private static readonly Option<bool> s_allGroups = new("--all-groups") { Description = "Apply to all consumer groups." };
    private static readonly Option<bool> s_list = new("--list") { Description = "List all consumer groups." };
    private static readonly Option<bool> s_describe = new("--describe") { Description = "Describe consumer groups: offsets and lag (default), --members or --state." };
    private static readonly Option<bool> s_delete = new("--delete") { Description = "Delete consumer groups (they must have no active members)." };
    private static readonly Option<bool> s_resetOffsets = new("--reset-offsets") { Description = "Reset a group's committed offsets (the group must be inactive)." };
    private static readonly Option<bool> s_offsets = new("--offsets") { Description = "With --describe: the offsets and lag of each partition (the default)." };
    private static readonly Option<bool> s_members = new("--members") { Description = "With --describe: the group's members." };
    private static readonly Option<bool> s_state = new("--state") { Description = "With --describe: the group's state; with --list: filter by state." };
    private static readonly Option<bool> s_verbose = new("--verbose") { Description = "With --describe --members: each member's assignment." };
    private static readonly Option<string[]> s_topic = new("--topic") { Description = "With --reset-offsets: topic or topic:0,1,2 (repeatable)." };
    private static readonly Option<bool> s_allTopics = new("--all-topics") { Description = "With --reset-offsets: every topic the group has offsets for." };
    private static readonly Option<bool> s_toEarliest = new("--to-earliest") { Description = "Reset to the earliest offset." };
    private static readonly Option<bool> s_toLatest = new("--to-latest") { Description = "Reset to the latest offset." };
    private static readonly Option<bool> s_toCurrent = new("--to-current") { Description = "Reset to the current offset." };
    private static readonly Option<long?> s_toOffset = new("--to-offset") { Description = "Reset to this offset (clamped to the log)." };
    private static readonly Option<long?> s_shiftBy = new("--shift-by") { Description = "Shift the current offset by n (negative: back)." };
    private static readonly Option<string> s_toDatetime = new("--to-datetime") { Description = "Reset to the first offset at or after 'YYYY-MM-DDTHH:mm:SS.sss'." };
    private static readonly Option<string> s_byDuration = new("--by-duration") { Description = "Reset to the first offset at or after now minus 'PnDTnHnMnS'." };
    private static readonly Option<bool> s_dryRun = new("--dry-run") { Description = "Only show the new offsets." };
    private static readonly Option<bool> s_execute = new("--execute") { Description = "Apply the new offsets." };
    private static readonly Option<int?> s_timeout = new("--timeout") { Description = "Milliseconds to wait for the cluster (default 15000)." };

    public static Command Create()
    {
        var command = new Command("consumer-groups", "List, describe, delete consumer groups and reset their offsets (kafka-consumer-groups).");
        foreach (var o in new Option[] { s_bootstrap, s_commandConfig, s_group, s_allGroups, s_list, s_describe, s_delete, s_resetOffsets, s_offsets,
            s_members, s_state, s_verbose, s_topic, s_allTopics, s_toEarliest, s_toLatest, s_toCurrent, s_toOffset, s_shiftBy, s_toDatetime,
            s_byDuration, s_dryRun, s_execute, s_timeout })
        {
            command.Options.Add(o);
        }
        ToolRunner.SetAction(command, "Error: ", RunAsync);
        return command;
    }

    internal enum Action { List, Describe, Delete, ResetOffsets }

    internal static Action Validate(ParseResult parse)
    {
        var actions = new List<Action>();
        if (parse.GetValue(s_list)) actions.Add(Action.List);
        if (parse.GetValue(s_describe)) actions.Add(Action.Describe);
        if (parse.GetValue(s_delete)) actions.Add(Action.Delete);
        if (parse.GetValue(s_resetOffsets)) actions.Add(Action.ResetOffsets);
        if (actions.Count != 1) throw new ToolException("Command must include exactly one action: --list, --describe, --delete, --reset-offsets");
        ClientSetup.RequireBootstrap(parse.GetValue(s_bootstrap));
        var action = actions[0];
        bool hasGroup = parse.GetValue(s_group) is { Length: > 0 };
        if (action is Action.Describe or Action.Delete && !hasGroup && !parse.GetValue(s_allGroups))
            throw new ToolException($"Option [{(action == Action.Describe ? "describe" : "delete")}] takes one of these options: [all-groups], [group]");
        if (action == Action.ResetOffsets)
        {
            if (!hasGroup && !parse.GetValue(s_allGroups)) throw new ToolException("Option [reset-offsets] takes one of these options: [all-groups], [group]");
            if (parse.GetValue(s_topic) is not { Length: > 0 } && !parse.GetValue(s_allTopics))
                throw new ToolException("Option [reset-offsets] takes one of these options: [all-topics], [topic]");
            if (parse.GetValue(s_topic) is { Length: > 0 } && parse.GetValue(s_allTopics))
                throw new ToolException("Option [all-topics] can't be used with option [topic]");
            if (parse.GetValue(s_dryRun) && parse.GetValue(s_execute)) throw new ToolException("Option [dry-run] can't be used with option [execute]");
            ResetSpecOf(parse, DateTimeOffset.UtcNow);
        }
        int views = (parse.GetValue(s_members) ? 1 : 0) + (parse.GetValue(s_state) ? 1 : 0) + (parse.GetValue(s_offsets) ? 1 : 0);
        if (action == Action.Describe && views > 1) throw new ToolException("Option [describe] takes at most one of these options: [members], [offsets], [state]");
        return action;
    }

    /// <summary>The one reset specification given (Kafka refuses none or several).</summary>
    internal static ResetSpec ResetSpecOf(ParseResult parse, DateTimeOffset now)
    {
        var specs = new List<ResetSpec>();
        if (parse.GetValue(s_toEarliest)) specs.Add(new ResetSpec.ToEarliest());
        if (parse.GetValue(s_toLatest)) specs.Add(new ResetSpec.ToLatest());
        if (parse.GetValue(s_toCurrent)) specs.Add(new ResetSpec.ToCurrent());
        if (parse.GetValue(s_toOffset) is { } offset) specs.Add(new ResetSpec.ToOffset(offset));
        if (parse.GetValue(s_shiftBy) is { } shift) specs.Add(new ResetSpec.ShiftBy(shift));
        if (parse.GetValue(s_toDatetime) is { } datetime) specs.Add(new ResetSpec.ToTimestamp(OffsetResetPlan.ParseDateTime(datetime)));
        if (parse.GetValue(s_byDuration) is { } duration) specs.Add(new ResetSpec.ToTimestamp(now - OffsetResetPlan.ParseDuration(duration)));
        return specs.Count switch
        {
            1 => specs[0],
            0 => throw new ToolException("One of the reset specifications should be defined: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --to-current, --to-offset."),
            _ => throw new ToolException("Only one of the reset specifications may be given: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --to-current, --to-offset."),
        };
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var action = Validate(parse);
        var config = ClientSetup.Admin(parse.GetValue(s_bootstrap)!, parse.GetValue(s_commandConfig));
        if (parse.GetValue(s_timeout) is { } timeout) config.DefaultApiTimeoutMs = timeout;
        await using var admin = new AdminClient(config, new StderrLoggerFactory());
        return action switch
        {
            Action.List => await ListAsync(admin, parse, cancellationToken),
            Action.Describe => await DescribeAsync(admin, parse, cancellationToken),
            Action.Delete => await DeleteAsync(admin, parse, cancellationToken),
            _ => await ResetAsync(admin, parse, cancellationToken),
        };
    }

    private static async Task<int> ListAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var groups = await admin.ListConsumerGroupsAsync(cancellationToken);
        var ids = groups.Select(g => g.GroupId).Distinct().Order(StringComparer.Ordinal).ToList();
        if (parse.GetValue(s_state))
        {
            int width = Math.Max(15, ids.Count == 0 ? 0 : ids.Max(i => i.Length));
            Console.WriteLine($"{"GROUP".PadRight(width)} STATE");
            foreach (var g in groups.OrderBy(g => g.GroupId, StringComparer.Ordinal)) Console.WriteLine($"{g.GroupId.PadRight(width)} {g.State ?? "Unknown"}");
            return 0;
        }
        foreach (var id in ids) Console.WriteLine(id);
        return 0;
    }

    private static async Task<List<string>> GroupIdsAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(s_allGroups))
        {
            var groups = await admin.ListConsumerGroupsAsync(cancellationToken);
            return groups.Select(g => g.GroupId).Distinct().Order(StringComparer.Ordinal).ToList();
        }
        return parse.GetValue(s_group)!.Distinct().ToList();
    }

    private static async Task<int> DescribeAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var groupIds = await GroupIdsAsync(admin, parse, cancellationToken);
        var descriptions = await admin.DescribeConsumerGroupsAsync(groupIds, cancellationToken);
        int status = 0;
        IReadOnlyList<BrokerInfoLite>? brokers = null;
        foreach (var group in descriptions)
        {
            if (group.Error != ErrorCode.None && group.Error != ErrorCode.GroupIdNotFound)
            {
                await Console.Error.WriteLineAsync($"Error: Describing consumer group '{group.GroupId}' failed: {KafkaErrors.Message(group.Error)}");
                status = 1;
                continue;
            }
            if (parse.GetValue(s_state))
            {
                brokers ??= (await admin.DescribeClusterAsync(cancellationToken)).Brokers.Select(b => new BrokerInfoLite(b.NodeId, b.Host, b.Port)).ToList();
                var coordinator = brokers.FirstOrDefault(b => b.NodeId == group.CoordinatorId);
                string coordinatorText = coordinator is null ? $"- ({group.CoordinatorId})" : $"{coordinator.Host}:{coordinator.Port} ({coordinator.NodeId})";
                if (IsDead(group))
                {
                    Console.WriteLine($"\nConsumer group '{group.GroupId}' does not exist.");
                    continue;
                }
                Console.Write(GroupTables.State([new GroupStateRow(group.GroupId, coordinatorText, group.Protocol, group.State, group.Members.Count)]));
                continue;
            }

            if (parse.GetValue(s_members))
            {
                if (IsDead(group))
                {
                    await Console.Error.WriteLineAsync($"Error: Consumer group '{group.GroupId}' does not exist.");
                    status = 1;
                    continue;
                }
                PrintStateNote(group);
                if (group.Members.Count > 0)
                {
                    Console.Write(GroupTables.Members(group.Members.Select(m => new GroupMemberRow(group.GroupId, m.MemberId, m.ClientHost, m.ClientId, m.Assignment)).ToList(),
                        parse.GetValue(s_verbose)));
                }
                continue;
            }

            var committed = await admin.ListConsumerGroupOffsetsAsync(group.GroupId, cancellationToken: cancellationToken);
            if (IsDead(group) && committed.Count == 0)
            {
                await Console.Error.WriteLineAsync($"Error: Consumer group '{group.GroupId}' does not exist.");
                status = 1;
                continue;
            }
            PrintStateNote(group);
            var rows = await OffsetRowsAsync(admin, group, committed, cancellationToken);
            if (rows.Count > 0) Console.Write(GroupTables.Offsets(rows));
        }
        return status;
    }

    private sealed record BrokerInfoLite(int NodeId, string Host, int Port);

    private static bool IsDead(GroupDescription group) =>
        group.Error == ErrorCode.GroupIdNotFound || (group.State is "Dead" && group.Members.Count == 0);

    private static void PrintStateNote(GroupDescription group)
    {
        if (group.State is "PreparingRebalance" or "CompletingRebalance" or "Assigning" or "Reconciling")
            Console.WriteLine($"\nWarning: Consumer group '{group.GroupId}' is rebalancing.");
        else if (group.Members.Count == 0)
            Console.WriteLine($"\nConsumer group '{group.GroupId}' has no active members.");
    }

    /// <summary>One row per assigned or committed partition, with the log end offset and the lag.</summary>
    private static async Task<List<GroupOffsetRow>> OffsetRowsAsync(AdminClient admin, GroupDescription group,
        IReadOnlyDictionary<TopicPartition, TopicPartitionOffset> committed, CancellationToken cancellationToken)
    {
        var owner = new Dictionary<TopicPartition, GroupMemberDescription>();
        foreach (var m in group.Members)
        {
            foreach (var tp in m.Assignment) owner[tp] = m;
        }
        var partitions = new SortedSet<TopicPartition>(owner.Keys.Concat(committed.Keys), TopicPartition.Comparer);
        var ends = partitions.Count == 0 ? new Dictionary<TopicPartition, ListOffsetsResultInfo>()
            : await ListOffsetsLenientAsync(admin, partitions.ToDictionary(tp => tp, _ => OffsetSpec.Latest), cancellationToken);
        var rows = new List<GroupOffsetRow>();
        foreach (var tp in partitions)
        {
            long? current = committed.TryGetValue(tp, out var c) ? c.Offset : null;
            long? end = ends.TryGetValue(tp, out var e) ? e.Offset : null;
            var member = owner.GetValueOrDefault(tp);
            rows.Add(new GroupOffsetRow(group.GroupId, tp.Topic, tp.Partition, current, end,
                member?.MemberId ?? "-", member?.ClientHost ?? "-", member?.ClientId ?? "-"));
        }
        return rows;
    }

    /// <summary>ListOffsets that leaves out partitions the cluster no longer has (a deleted topic's offsets remain in the group).</summary>
    private static async Task<IReadOnlyDictionary<TopicPartition, ListOffsetsResultInfo>> ListOffsetsLenientAsync(AdminClient admin,
        IReadOnlyDictionary<TopicPartition, OffsetSpec> request, CancellationToken cancellationToken)
    {
        var topics = await admin.ListTopicsAsync(listInternal: true, cancellationToken);
        var existing = request.Where(kv => topics.Contains(kv.Key.Topic)).ToDictionary(kv => kv.Key, kv => kv.Value);
        if (existing.Count == 0) return new Dictionary<TopicPartition, ListOffsetsResultInfo>();
        return await admin.ListOffsetsAsync(existing, cancellationToken: cancellationToken);
    }

    private static async Task<int> DeleteAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        var groupIds = await GroupIdsAsync(admin, parse, cancellationToken);
        var failures = new List<string>();
        foreach (var id in groupIds)
        {
            try
            {
                await admin.DeleteConsumerGroupsAsync([id], cancellationToken);
            }
            catch (AdminException e)
            {
                var error = e.Results.FirstOrDefault(r => !r.IsSuccess)?.Error ?? ErrorCode.UnknownServerError;
                failures.Add($"* Group '{id}' could not be deleted due to: {ExceptionName(error)}: {KafkaErrors.Message(error)}");
            }
        }
        if (failures.Count > 0)
        {
            await Console.Error.WriteLineAsync("Error: Deletion of some consumer groups failed:");
            foreach (var f in failures) await Console.Error.WriteLineAsync(f);
            return 1;
        }
        Console.WriteLine($"Deletion of requested consumer groups ({string.Join(", ", groupIds.Select(g => $"'{g}'"))}) was successful.");
        return 0;
    }

    private static string ExceptionName(ErrorCode code) => code switch
    {
        ErrorCode.NonEmptyGroup => "GroupNotEmptyException",
        ErrorCode.GroupIdNotFound => "GroupIdNotFoundException",
        _ => code.ToString(),
    };

    private static async Task<int> ResetAsync(AdminClient admin, ParseResult parse, CancellationToken cancellationToken)
    {
        bool execute = parse.GetValue(s_execute);
        if (!execute && !parse.GetValue(s_dryRun))
        {
            Console.WriteLine("WARN: No action will be performed as the --execute option is missing. "
                + "In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. "
                + "You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.");
        }
        var spec = ResetSpecOf(parse, DateTimeOffset.UtcNow);
        var groupIds = await GroupIdsAsync(admin, parse, cancellationToken);
        var descriptions = await admin.DescribeConsumerGroupsAsync(groupIds, cancellationToken);
        int status = 0;
        foreach (var group in descriptions)
        {
            // Offsets of a group with members would be overwritten by their next commit: Kafka refuses.
            if (group.Error == ErrorCode.None && group.State is not ("Empty" or "Dead"))
            {
                await Console.Error.WriteLineAsync($"\nError: Assignments can only be reset if the group '{group.GroupId}' is inactive, but the current state is {group.State}.");
                status = 1;
                continue;
            }
            var committedOffsets = await admin.ListConsumerGroupOffsetsAsync(group.GroupId, cancellationToken: cancellationToken);
            var committed = committedOffsets.ToDictionary(kv => kv.Key, kv => kv.Value.Offset);
            var partitions = await ScopeAsync(admin, parse, committed.Keys, cancellationToken);
            if (partitions.Count == 0) continue;

            var earliest = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Earliest), cancellationToken: cancellationToken);
            var latest = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Latest), cancellationToken: cancellationToken);
            var log = partitions.ToDictionary(tp => tp, tp => new LogOffsets(earliest[tp].Offset, latest[tp].Offset));
            Dictionary<TopicPartition, long>? byTime = null;
            if (spec is ResetSpec.ToTimestamp ts)
            {
                var found = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.ForTimestamp(ts.Time)), cancellationToken: cancellationToken);
                byTime = found.ToDictionary(kv => kv.Key, kv => kv.Value.Offset);
            }
            var plan = OffsetResetPlan.Plan(spec, partitions, committed, log, byTime);
            if (execute)
            {
                await admin.AlterConsumerGroupOffsetsAsync(group.GroupId, plan.Select(kv => new TopicPartitionOffset(kv.Key, kv.Value)), cancellationToken);
            }
            Console.Write(GroupTables.Reset(group.GroupId, plan));
        }
        return status;
    }

    /// <summary>The partitions --topic / --all-topics name; unknown topics and partitions are errors.</summary>
    private static async Task<List<TopicPartition>> ScopeAsync(AdminClient admin, ParseResult parse, IEnumerable<TopicPartition> committed,
        CancellationToken cancellationToken)
    {
        if (parse.GetValue(s_allTopics)) return committed.Order(TopicPartition.Comparer).ToList();
        var scopes = parse.GetValue(s_topic)!.Select(OffsetResetPlan.ParseTopicScope).ToList();
        var described = await admin.DescribeTopicsAsync(scopes.Select(s => s.Topic).Distinct(), cancellationToken);
        var counts = described.ToDictionary(t => t.Name, t => t.Partitions.Select(p => p.Partition).ToHashSet());
        var result = new SortedSet<TopicPartition>(TopicPartition.Comparer);
        foreach (var (topic, partitions) in scopes)
        {
            var existing = counts[topic];
            foreach (int p in partitions ?? [.. existing])
            {
                if (!existing.Contains(p)) throw new ToolException($"Partition {topic}-{p} does not exist.");
                result.Add(new TopicPartition(topic, p));
            }
        }
        return [.. result];
    }
}
