using System.CommandLine;
using System.Globalization;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>
/// <c>samsa configs</c> (kafka-configs): describe and alter topic and broker configs through
/// DescribeConfigs / IncrementalAlterConfigs, with Kafka's output.
/// </summary>
internal static class ConfigsCommand
{
    private static readonly Option<string> s_bootstrap = ClientSetup.BootstrapServerOption();
    private static readonly Option<string> s_commandConfig = ClientSetup.CommandConfigOption();
    private static readonly Option<string> s_entityType = new("--entity-type") { Description = "topics or brokers." };
    private static readonly Option<string> s_entityName = new("--entity-name") { Description = "The topic name or broker id." };
    private static readonly Option<bool> s_entityDefault = new("--entity-default") { Description = "The cluster-wide default (brokers)." };
    private static readonly Option<string> s_topic = new("--topic") { Description = "Shortcut for --entity-type topics --entity-name <topic>." };
    private static readonly Option<string> s_broker = new("--broker") { Description = "Shortcut for --entity-type brokers --entity-name <id>." };
    private static readonly Option<bool> s_describe = new("--describe") { Description = "Show the configs of the entity." };
    private static readonly Option<bool> s_alter = new("--alter") { Description = "Change the configs of the entity." };
    private static readonly Option<bool> s_all = new("--all") { Description = "With --describe: every config, not only the overrides." };
    private static readonly Option<string> s_addConfig = new("--add-config") { Description = "k1=v1,k2=[v1,v2],... to set." };
    private static readonly Option<string> s_deleteConfig = new("--delete-config") { Description = "k1,k2,... to remove." };
    private static readonly Option<string> s_addConfigFile = new("--add-config-file") { Description = "Properties file of configs to set." };

    public static Command Create()
    {
        var command = new Command("configs", "Describe or change topic and broker configs (kafka-configs).");
        foreach (var o in new Option[] { s_bootstrap, s_commandConfig, s_entityType, s_entityName, s_entityDefault, s_topic, s_broker, s_describe,
            s_alter, s_all, s_addConfig, s_deleteConfig, s_addConfigFile })
        {
            command.Options.Add(o);
        }
        // Kafka's prefix quotes the arguments it was given.
        ToolRunner.SetAction(command, parse => $"Error while executing config command with args '{string.Join(' ', parse.Tokens.Select(t => t.Value))}' : ", RunAsync);
        return command;
    }

    /// <summary>--add-config: comma-separated k=v, where a value in [..] may hold commas.</summary>
    internal static List<KeyValuePair<string, string>> ParseAddConfig(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        int i = 0;
        while (i < text.Length)
        {
            int eq = text.IndexOf('=', i);
            if (eq < 0) throw new ToolException($"Invalid --add-config '{text}': expected k1=v1,k2=[v1,v2].");
            string key = text[i..eq].Trim();
            int j = eq + 1;
            string value;
            if (j < text.Length && text[j] == '[')
            {
                int close = text.IndexOf(']', j);
                if (close < 0) throw new ToolException($"Invalid --add-config '{text}': missing ']'.");
                value = text[(j + 1)..close];
                j = close + 1;
            }
            else
            {
                int comma = text.IndexOf(',', j);
                value = comma < 0 ? text[j..] : text[j..comma];
                j = comma < 0 ? text.Length : comma;
            }
            if (key.Length == 0) throw new ToolException($"Invalid --add-config '{text}': empty config name.");
            result.Add(new(key, value));
            i = j < text.Length && text[j] == ',' ? j + 1 : j;
        }
        return result;
    }

    private static (ConfigResourceType Type, string? Name, string Label) Entity(ParseResult parse)
    {
        if (parse.GetValue(s_topic) is { } topic) return (ConfigResourceType.Topic, topic, "topic");
        if (parse.GetValue(s_broker) is { } broker) return (ConfigResourceType.Broker, broker, "broker");
        string type = parse.GetValue(s_entityType) ?? throw new ToolException("Missing required argument \"[entity-type]\"");
        string? name = parse.GetValue(s_entityName);
        if (parse.GetValue(s_entityDefault)) name = "";
        return type switch
        {
            "topics" => (ConfigResourceType.Topic, name, "topic"),
            "brokers" => (ConfigResourceType.Broker, name, "broker"),
            "broker-loggers" => (ConfigResourceType.BrokerLogger, name, "broker-logger"),
            "groups" => (ConfigResourceType.Group, name, "group"),
            _ => throw new ToolException($"Invalid entity-type {type}, --entity-type must be one of topics, brokers, broker-loggers, groups"),
        };
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        bool describe = parse.GetValue(s_describe), alter = parse.GetValue(s_alter);
        if (describe == alter) throw new ToolException("Command must include exactly one action: --describe, --alter");
        string bootstrap = ClientSetup.RequireBootstrap(parse.GetValue(s_bootstrap));
        var (type, name, label) = Entity(parse);
        if (type == ConfigResourceType.Broker && !string.IsNullOrEmpty(name) && !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new ToolException($"The entity name for brokers must be a valid integer broker id, but it is: {name}");
        if (alter && name is null) throw new ToolException("--entity-name or --entity-default must be specified with --alter");
        await using var admin = ClientSetup.CreateAdmin(bootstrap, parse.GetValue(s_commandConfig));
        return alter ? await AlterAsync(admin, parse, type, name!, label, cancellationToken) : await DescribeAsync(admin, parse, type, name, label, cancellationToken);
    }

    private static async Task<int> AlterAsync(AdminClient admin, ParseResult parse, ConfigResourceType type, string name, string label, CancellationToken cancellationToken)
    {
        var ops = new List<AlterConfigOp>();
        if (parse.GetValue(s_addConfig) is { } add) ops.AddRange(ParseAddConfig(add).Select(kv => new AlterConfigOp(kv.Key, kv.Value)));
        if (parse.GetValue(s_addConfigFile) is { } file) ops.AddRange(KafkaProperties.LoadFile(file).Select(kv => new AlterConfigOp(kv.Key, kv.Value)));
        if (parse.GetValue(s_deleteConfig) is { } delete)
        {
            ops.AddRange(delete.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(k => new AlterConfigOp(k, null, AlterConfigOpType.Delete)));
        }
        if (ops.Count == 0) throw new ToolException("At least one of --add-config, --add-config-file or --delete-config must be specified with --alter");
        var duplicate = ops.GroupBy(o => o.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ToolException($"Invalid alter config: {duplicate.Key} is both added and deleted");
        if (type == ConfigResourceType.Topic)
        {
            var topics = await admin.ListTopicsAsync(listInternal: true, cancellationToken);
            if (!topics.Contains(name)) throw new ToolException($"The topic '{name}' does not exist.");
        }
        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, IReadOnlyList<AlterConfigOp>> { [new ConfigResource(type, name)] = ops },
            cancellationToken: cancellationToken);
        Console.WriteLine(name.Length == 0 ? $"Completed updating default config for {label}s in the cluster." : $"Completed updating config for {label} {name}.");
        return 0;
    }

    private static async Task<int> DescribeAsync(AdminClient admin, ParseResult parse, ConfigResourceType type, string? name, string label, CancellationToken cancellationToken)
    {
        List<string> names;
        if (name is not null) names = [name];
        else if (type == ConfigResourceType.Topic) names = [.. await admin.ListTopicsAsync(listInternal: true, cancellationToken)];
        else if (type == ConfigResourceType.Broker) names = [.. (await admin.DescribeClusterAsync(cancellationToken)).Brokers.Select(b => b.NodeId.ToString(CultureInfo.InvariantCulture))];
        else throw new ToolException($"--entity-name must be specified with --describe of {label}s");

        bool all = parse.GetValue(s_all);
        var configs = await admin.DescribeConfigsAsync(names.Select(n => new ConfigResource(type, n)), cancellationToken);
        foreach (var n in names)
        {
            var entries = configs.GetValueOrDefault(new ConfigResource(type, n)) ?? [];
            string subject = n.Length == 0 ? $"Default configs for {label}s in the cluster are:" : $"{(all ? "All" : "Dynamic")} configs for {label} {n} are:";
            Console.WriteLine(subject);
            foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (!all && !IsDynamic(e.Source)) continue;
                string value = e.IsSensitive ? "null" : e.Value ?? "null";
                Console.WriteLine($"  {e.Name}={value} sensitive={(e.IsSensitive ? "true" : "false")} synonyms={{{SourceName(e.Source)}:{e.Name}={value}}}");
            }
        }
        return 0;
    }

    private static bool IsDynamic(sbyte source) => source is 1 or 2 or 3 or 6 or 7 or 8;

    /// <summary>Kafka's ConfigSource names (DescribeConfigs config_source).</summary>
    internal static string SourceName(sbyte source) => source switch
    {
        1 => "DYNAMIC_TOPIC_CONFIG",
        2 => "DYNAMIC_BROKER_CONFIG",
        3 => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        4 => "STATIC_BROKER_CONFIG",
        5 => "DEFAULT_CONFIG",
        6 => "DYNAMIC_BROKER_LOGGER_CONFIG",
        7 => "CLIENT_METRICS_CONFIG",
        8 => "GROUP_CONFIG",
        _ => "UNKNOWN",
    };
}
