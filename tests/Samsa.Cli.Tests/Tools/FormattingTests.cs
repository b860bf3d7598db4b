using System.Buffers;
using System.Text;
using Samsa.Cli.Tools;
using Samsa.Client;
using Samsa.Client.Network;
using Samsa.Protocol;

namespace Samsa.Cli.Tests.Tools;

public class FormattingTests
{
    [Fact]
    public void Describe_lines_are_Kafkas_tab_separated_topic_and_partition_lines()
    {
        var id = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var topic = new TopicDescription("first_topic", id, false,
            [new PartitionInfo(0, 1, 0, [1], [1], ErrorCode.None), new PartitionInfo(1, -1, 0, [1, 2], [2], ErrorCode.None)]);
        var configs = new[]
        {
            new ConfigEntry("segment.bytes", "1073741824", false, false, false, 4),
            new ConfigEntry("cleanup.policy", "delete", false, true, false, 5),
            new ConfigEntry("retention.ms", "1000", false, false, false, 1),
        };

        Assert.Equal("Topic: first_topic\tTopicId: Dx4tPEtaaXiHlqW0w9Lh8A\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention.ms=1000,segment.bytes=1073741824",
            TopicDescriptionFormat.TopicLine(topic, configs));
        Assert.Equal("\tTopic: first_topic\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1", TopicDescriptionFormat.PartitionLine("first_topic", topic.Partitions[0]));
        Assert.Equal("\tTopic: first_topic\tPartition: 1\tLeader: none\tReplicas: 1,2\tIsr: 2", TopicDescriptionFormat.PartitionLine("first_topic", topic.Partitions[1]));
    }

    private static string Format(Dictionary<string, string> props, ConsumeResult<byte[]?, byte[]?> record)
    {
        var output = new ArrayBufferWriter<byte>();
        new DefaultMessageFormatter(props).WriteTo(record, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static ConsumeResult<byte[]?, byte[]?> Record(string? key, string? value, Headers? headers = null) => new()
    {
        Topic = "second_topic",
        Partition = 1,
        Offset = 42,
        Key = key is null ? null : Encoding.UTF8.GetBytes(key),
        Value = value is null ? null : Encoding.UTF8.GetBytes(value),
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1696393976895),
        TimestampType = TimestampType.CreateTime,
        Headers = headers ?? new Headers(),
    };

    [Fact]
    public void Formatter_prints_the_seed_columns_in_Kafkas_order()
    {
        var props = new Dictionary<string, string>
        {
            ["print.timestamp"] = "true", ["print.key"] = "true", ["print.value"] = "true", ["print.partition"] = "true",
        };
        Assert.Equal("CreateTime:1696393976895\tPartition:1\tnull\ttest1\n", Format(props, Record(null, "test1")));
    }

    [Fact]
    public void Formatter_prints_offset_headers_and_custom_separators()
    {
        var props = new Dictionary<string, string>
        {
            ["print.offset"] = "true", ["print.headers"] = "true", ["print.key"] = "true", ["key.separator"] = " | ", ["line.separator"] = ";",
        };
        var headers = new Headers().Add("h1", Encoding.UTF8.GetBytes("v1")).Add("h2", null);
        Assert.Equal("Offset:42 | h1:v1,h2:null | k | v;", Format(props, Record("k", "v", headers)));
        Assert.Equal("Offset:42 | NO_HEADERS | k | v;", Format(props, Record("k", "v")));
    }

    [Fact]
    public void Formatter_prints_only_the_value_by_default_and_key_without_value_when_asked()
    {
        Assert.Equal("hello\n", Format([], Record("k", "hello")));
        Assert.Equal("k\n", Format(new() { ["print.key"] = "true", ["print.value"] = "false" }, Record("k", "hello")));
        Assert.Equal("NULL\n", Format(new() { ["null.literal"] = "NULL" }, Record(null, null)));
    }

    [Fact]
    public void Formatter_decodes_long_values_with_Kafkas_LongDeserializer_name()
    {
        var record = new ConsumeResult<byte[]?, byte[]?>
        {
            Topic = "t", Partition = 0, Offset = 0, Value = [0, 0, 0, 0, 0, 0, 1, 0], Timestamp = DateTimeOffset.UnixEpoch,
        };
        Assert.Equal("256\n", Format(new() { ["value.deserializer"] = "org.apache.kafka.common.serialization.LongDeserializer" }, record));
    }

    [Fact]
    public void Group_offsets_table_has_Kafkas_columns_widths_and_dashes()
    {
        var rows = new List<GroupOffsetRow>
        {
            new("my-first-application", "first_topic", 0, 10, 15, "console-consumer-1f2e", "/127.0.0.1", "console-consumer"),
            new("my-first-application", "first_topic", 1, null, 7, "-", "-", "-"),
        };
        var lines = GroupTables.Offsets(rows).Split('\n');
        Assert.Equal("", lines[0]);
        Assert.Equal("GROUP                TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID           HOST            CLIENT-ID", lines[1]);
        Assert.Equal("my-first-application first_topic     0          10              15              5               console-consumer-1f2e /127.0.0.1      console-consumer", lines[2]);
        Assert.Equal("my-first-application first_topic     1          -               7               -               -                     -               -", lines[3]);
    }

    [Fact]
    public void Reset_table_is_the_fixed_width_NEW_OFFSET_table()
    {
        var plan = new SortedDictionary<TopicPartition, long>(TopicPartition.Comparer) { [new("third_topic", 0)] = 0, [new("third_topic", 1)] = 3 };
        var lines = GroupTables.Reset("my-first-application", plan).Split('\n');
        Assert.Equal("", lines[0]);
        Assert.Equal("GROUP                          TOPIC                          PARTITION  NEW-OFFSET     ", lines[1]);
        Assert.Equal("my-first-application           third_topic                    0          0              ", lines[2]);
        Assert.Equal("my-first-application           third_topic                    1          3              ", lines[3]);
    }

    [Fact]
    public void Members_table_counts_partitions_and_verbose_lists_them()
    {
        var rows = new List<GroupMemberRow> { new("g", "m-1", "/127.0.0.1", "c", [new("t", 2), new("t", 0), new("u", 1)]) };
        var lines = GroupTables.Members(rows, verbose: true).Split('\n');
        Assert.StartsWith("GROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT", lines[1]);
        Assert.EndsWith("3               t(0,2),u(1)", lines[2]);
    }
}
