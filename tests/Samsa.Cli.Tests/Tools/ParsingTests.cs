using System.CommandLine;
using System.Text;
using Samsa.Cli.Tools;
using Samsa.Client;

namespace Samsa.Cli.Tests.Tools;

public class ParsingTests
{
    private static ParseResult Parse(string commandLine)
    {
        var root = new RootCommand();
        ToolCommands.AddTo(root);
        return root.Parse(commandLine);
    }

    private static string ParseError(string commandLine)
    {
        var parse = Parse(commandLine);
        var error = new StringWriter();
        Assert.Equal(1, ToolCommands.ReportParseErrors(parse, error));
        return error.ToString();
    }

    [Fact]
    public void Unknown_flag_is_one_line_in_Kafkas_words()
    {
        string error = ParseError("topics --bootstrap-server localhost:9092 --list --bogus");
        Assert.Equal("samsa topics: bogus is not a recognized option (see samsa topics --help)" + Environment.NewLine, error);
    }

    [Fact]
    public void Seed_topics_commands_parse_and_validate()
    {
        Assert.Equal(TopicsCommand.Action.Create, TopicsCommand.Validate(Parse("topics --bootstrap-server localhost:9092 --topic first_topic --create --partitions 3 --replication-factor 1")));
        Assert.Equal(TopicsCommand.Action.List, TopicsCommand.Validate(Parse("topics --bootstrap-server localhost:9092 --list")));
        Assert.Equal(TopicsCommand.Action.Describe, TopicsCommand.Validate(Parse("topics --bootstrap-server localhost:9092 --topic first_topic --describe")));
        Assert.Equal(TopicsCommand.Action.Delete, TopicsCommand.Validate(Parse("topics --bootstrap-server localhost:9092 --topic first_topic --delete")));
        Assert.Equal(TopicsCommand.Action.Alter, TopicsCommand.Validate(Parse("topics --bootstrap-server=localhost:9092 --topic first_topic --alter --partitions 5")));
    }

    [Theory]
    [InlineData("topics --bootstrap-server h:1 --create --partitions 3", "Missing required argument \"[topic]\"")]
    [InlineData("topics --bootstrap-server h:1 --create --topic t --partitions 0", "The partitions must be greater than 0")]
    [InlineData("topics --bootstrap-server h:1 --create --topic t --replication-factor 0", "The replication factor must be between 1 and 32767 inclusive")]
    [InlineData("topics --bootstrap-server h:1", "Command must include exactly one action: --list, --describe, --create, --alter or --delete")]
    [InlineData("topics --bootstrap-server h:1 --list --describe", "Command must include exactly one action: --list, --describe, --create, --alter or --delete")]
    [InlineData("topics --list", "Missing required argument \"[bootstrap-server]\"")]
    [InlineData("topics --bootstrap-server h:1 --create --topic bad/name", "Topic name \"bad/name\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'")]
    [InlineData("topics --bootstrap-server h:1 --create --topic t --config retention.ms", "Invalid --config 'retention.ms': expected key=value.")]
    public void Topics_bad_input_is_refused_before_connecting(string commandLine, string message)
    {
        var e = Assert.Throws<ToolException>(() => TopicsCommand.Validate(Parse(commandLine)));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("console-consumer --bootstrap-server h:1", "Exactly one of --include/--topic is required.")]
    [InlineData("console-consumer --bootstrap-server h:1 --topic t --offset 5", "The partition is required when offset is specified.")]
    [InlineData("console-consumer --bootstrap-server h:1 --topic t --partition 0 --offset 5 --from-beginning", "Options from-beginning and offset cannot be specified together.")]
    [InlineData("console-consumer --bootstrap-server h:1 --topic t --partition 0 --offset soon", "The provided offset value 'soon' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.")]
    [InlineData("console-consumer --bootstrap-server h:1 --topic t --partition 0 --group g", "Options group and partition cannot be specified together.")]
    public void Console_consumer_option_combinations_are_checked(string commandLine, string message)
    {
        var e = Assert.Throws<ToolException>(() => ConsoleConsumerCommand.Validate(Parse(commandLine)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Console_consumer_without_group_generates_one_and_disables_auto_commit()
    {
        var (props, generated) = ConsoleConsumerCommand.ConsumerProperties(Parse("console-consumer --bootstrap-server h:1 --topic t"), "h:1");
        Assert.True(generated);
        Assert.Matches("^console-consumer-[0-9]{1,5}$", props["group.id"]);
        Assert.Equal("false", props["enable.auto.commit"]);
        Assert.Equal("latest", props["auto.offset.reset"]);
        Assert.Equal("console-consumer", props["client.id"]);
    }

    [Fact]
    public void Console_consumer_with_group_keeps_auto_commit_and_from_beginning_means_earliest()
    {
        var (props, generated) = ConsoleConsumerCommand.ConsumerProperties(
            Parse("console-consumer --bootstrap-server h:1 --topic t --group my-first-application --from-beginning --consumer-property max.poll.records=7"), "h:1");
        Assert.False(generated);
        Assert.Equal("my-first-application", props["group.id"]);
        Assert.False(props.ContainsKey("enable.auto.commit"));
        Assert.Equal("earliest", props["auto.offset.reset"]);
        Assert.Equal("7", props["max.poll.records"]);
    }

    [Fact]
    public void Console_consumer_refuses_two_different_group_ids()
    {
        var e = Assert.Throws<ToolException>(() => ConsoleConsumerCommand.ConsumerProperties(
            Parse("console-consumer --bootstrap-server h:1 --topic t --group a --consumer-property group.id=b"), "h:1"));
        Assert.StartsWith("The group ids provided in different places", e.Message);
    }

    [Fact]
    public void Console_consumer_accepts_both_formatter_class_names_and_refuses_others()
    {
        foreach (var name in DefaultMessageFormatter.ClassNames)
        {
            var f = ConsoleConsumerCommand.Formatter(Parse($"console-consumer --bootstrap-server h:1 --topic t --formatter {name} --property print.key=true"));
            Assert.True(f.PrintKey);
        }
        Assert.Throws<ToolException>(() => ConsoleConsumerCommand.Formatter(Parse("console-consumer --bootstrap-server h:1 --topic t --formatter com.example.Fancy")));
    }

    [Fact]
    public void Console_producer_properties_follow_Kafkas_precedence()
    {
        var props = ConsoleProducerCommand.ProducerProperties(Parse("console-producer --bootstrap-server h:1 --topic t --producer-property acks=all"), "h:1");
        Assert.Equal("all", props["acks"]);
        Assert.Equal("console-producer", props["client.id"]);
        Assert.Equal("1000", props["linger.ms"]);
        props = ConsoleProducerCommand.ProducerProperties(Parse("console-producer --bootstrap-server h:1 --topic t --producer-property acks=all --request-required-acks 1 --compression-codec"), "h:1");
        Assert.Equal("1", props["acks"]);
        Assert.Equal("gzip", props["compression.type"]);
        props = ConsoleProducerCommand.ProducerProperties(Parse("console-producer --bootstrap-server h:1 --topic t --compression-codec zstd"), "h:1");
        Assert.Equal("zstd", props["compression.type"]);
        Assert.Equal("-1", props["acks"]);
    }

    [Fact]
    public void Line_reader_splits_keys_and_headers()
    {
        var reader = ConsoleProducerCommand.Reader(Parse("console-producer --bootstrap-server h:1 --topic t --property parse.key=true --property key.separator=:"));
        var m = reader.Parse("user1:hello:world", 1);
        Assert.Equal("user1", Encoding.UTF8.GetString(m.Key!));
        Assert.Equal("hello:world", Encoding.UTF8.GetString(m.Value!));
        var e = Assert.Throws<ToolException>(() => reader.Parse("no separator", 3));
        Assert.Equal("No key separator found on line number 3: 'no separator'", e.Message);

        reader = new LineMessageReader(new Dictionary<string, string> { ["parse.headers"] = "true", ["parse.key"] = "true", ["null.marker"] = "NULL" });
        m = reader.Parse("h1:v1,h2:NULL\tNULL\tvalue", 1);
        Assert.Null(m.Key);
        Assert.Equal(2, m.Headers!.Count);
        Assert.Equal("v1", Encoding.UTF8.GetString(m.Headers[0].Value!));
        Assert.Null(m.Headers[1].Value);
        Assert.Equal("value", Encoding.UTF8.GetString(m.Value!));
    }

    [Fact]
    public void Plain_line_is_the_value_with_a_null_key()
    {
        var m = new LineMessageReader(new Dictionary<string, string>()).Parse("a\tb", 1);
        Assert.Null(m.Key);
        Assert.Null(m.Headers);
        Assert.Equal("a\tb", Encoding.UTF8.GetString(m.Value!));
    }

    [Theory]
    [InlineData("consumer-groups --bootstrap-server h:1 --describe", "Option [describe] takes one of these options: [all-groups], [group]")]
    [InlineData("consumer-groups --bootstrap-server h:1 --group g --reset-offsets --to-earliest", "Option [reset-offsets] takes one of these options: [all-topics], [topic]")]
    [InlineData("consumer-groups --bootstrap-server h:1 --group g --reset-offsets --topic t", "One of the reset specifications should be defined: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --to-current, --to-offset.")]
    [InlineData("consumer-groups --bootstrap-server h:1 --group g --reset-offsets --topic t --to-earliest --to-latest", "Only one of the reset specifications may be given: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --to-current, --to-offset.")]
    [InlineData("consumer-groups --bootstrap-server h:1 --group g --reset-offsets --topic t --to-earliest --dry-run --execute", "Option [dry-run] can't be used with option [execute]")]
    [InlineData("consumer-groups --bootstrap-server h:1 --list --describe", "Command must include exactly one action: --list, --describe, --delete, --reset-offsets")]
    public void Consumer_groups_option_combinations_are_checked(string commandLine, string message)
    {
        var e = Assert.Throws<ToolException>(() => ConsumerGroupsCommand.Validate(Parse(commandLine)));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Seed_reset_command_validates()
    {
        var parse = Parse("consumer-groups --bootstrap-server localhost:9092 --group my-first-application --reset-offsets --to-earliest --topic third_topic --dry-run");
        Assert.Equal(ConsumerGroupsCommand.Action.ResetOffsets, ConsumerGroupsCommand.Validate(parse));
        Assert.IsType<ResetSpec.ToEarliest>(ConsumerGroupsCommand.ResetSpecOf(parse, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void By_duration_counts_back_from_now()
    {
        var now = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var parse = Parse("consumer-groups --bootstrap-server h:1 --group g --reset-offsets --all-topics --by-duration P1DT2H30M");
        var spec = Assert.IsType<ResetSpec.ToTimestamp>(ConsumerGroupsCommand.ResetSpecOf(parse, now));
        Assert.Equal(now - TimeSpan.FromHours(26.5), spec.Time);
    }

    [Fact]
    public void Add_config_splits_on_commas_outside_brackets()
    {
        var pairs = ConfigsCommand.ParseAddConfig("retention.ms=1000,cleanup.policy=[compact,delete],min.insync.replicas=2");
        Assert.Equal(["retention.ms", "cleanup.policy", "min.insync.replicas"], pairs.Select(p => p.Key));
        Assert.Equal(["1000", "compact,delete", "2"], pairs.Select(p => p.Value));
    }

    [Fact]
    public void Properties_files_read_comments_colons_and_continuations()
    {
        var props = KafkaProperties.Parse("# comment\n! other\nbootstrap.servers = a:1\nclient.id: me\nlong=one\\\n  two\n\n");
        Assert.Equal("a:1", props["bootstrap.servers"]);
        Assert.Equal("me", props["client.id"]);
        Assert.Equal("onetwo", props["long"]);
        Assert.Equal(3, props.Count);
    }

    [Fact]
    public void Topic_filter_is_literal_for_names_and_a_whole_match_regex_otherwise()
    {
        var literal = TopicFilter.Parse("first_topic");
        Assert.True(literal.IsLiteral);
        Assert.True(literal.Matches("first_topic"));
        Assert.False(literal.Matches("first_topic2"));
        var pattern = TopicFilter.Parse("first_.*|second_topic");
        Assert.True(pattern.Matches("first_x"));
        Assert.True(pattern.Matches("second_topic"));
        Assert.False(pattern.Matches("a_first_x"));
    }

    [Fact]
    public void Get_offsets_time_names()
    {
        Assert.Equal(OffsetSpec.Latest, GetOffsetsCommand.ParseTime(null));
        Assert.Equal(OffsetSpec.Earliest, GetOffsetsCommand.ParseTime("earliest"));
        Assert.Equal(OffsetSpec.Earliest, GetOffsetsCommand.ParseTime("-2"));
        Assert.Equal(new OffsetSpec(1700000000000), GetOffsetsCommand.ParseTime("1700000000000"));
        Assert.Throws<ToolException>(() => GetOffsetsCommand.ParseTime("yesterday"));
    }
}
