using System.Globalization;
using System.Text;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>One row of consumer-groups --describe (--offsets): "-" marks an unknown value.</summary>
internal sealed record GroupOffsetRow(string Group, string Topic, int Partition, long? CurrentOffset, long? LogEndOffset,
    string ConsumerId, string Host, string ClientId)
{
    public long? Lag => CurrentOffset is { } c && LogEndOffset is { } e ? Math.Max(0, e - c) : null;
}

/// <summary>One row of consumer-groups --describe --members.</summary>
internal sealed record GroupMemberRow(string Group, string ConsumerId, string Host, string ClientId, IReadOnlyList<TopicPartition> Assignment);

/// <summary>One row of consumer-groups --describe --state.</summary>
internal sealed record GroupStateRow(string Group, string Coordinator, string AssignmentStrategy, string State, int Members);

/// <summary>
/// The tables of kafka-consumer-groups, column for column: left-aligned, each column as wide as its
/// widest value and at least its minimum (15 for names), one space between columns; each table starts
/// with an empty line, as Kafka prints it.
/// </summary>
internal static class GroupTables
{
    public static string Offsets(IReadOnlyList<GroupOffsetRow> rows)
    {
        int group = Width(15, rows.Select(r => r.Group)), topic = Width(15, rows.Select(r => r.Topic));
        int consumer = Width(15, rows.Select(r => r.ConsumerId)), host = Width(15, rows.Select(r => r.Host));
        var sb = new StringBuilder().Append('\n');
        Line(sb, [("GROUP", group), ("TOPIC", topic), ("PARTITION", 10), ("CURRENT-OFFSET", 15), ("LOG-END-OFFSET", 15), ("LAG", 15),
            ("CONSUMER-ID", consumer), ("HOST", host), ("CLIENT-ID", 0)]);
        foreach (var r in rows)
        {
            Line(sb, [(r.Group, group), (r.Topic, topic), (Num(r.Partition), 10), (Num(r.CurrentOffset), 15), (Num(r.LogEndOffset), 15),
                (Num(r.Lag), 15), (r.ConsumerId, consumer), (r.Host, host), (r.ClientId, 0)]);
        }
        return sb.ToString();
    }

    public static string Members(IReadOnlyList<GroupMemberRow> rows, bool verbose)
    {
        int group = Width(15, rows.Select(r => r.Group)), consumer = Width(15, rows.Select(r => r.ConsumerId));
        int host = Width(15, rows.Select(r => r.Host)), client = Width(15, rows.Select(r => r.ClientId));
        var sb = new StringBuilder().Append('\n');
        var header = new List<(string, int)> { ("GROUP", group), ("CONSUMER-ID", consumer), ("HOST", host), ("CLIENT-ID", client), ("#PARTITIONS", verbose ? 15 : 0) };
        if (verbose) header.Add(("ASSIGNMENT", 0));
        Line(sb, header);
        foreach (var r in rows)
        {
            var cells = new List<(string, int)> { (r.Group, group), (r.ConsumerId, consumer), (r.Host, host), (r.ClientId, client), (Num(r.Assignment.Count), verbose ? 15 : 0) };
            if (verbose) cells.Add((Assignment(r.Assignment), 0));
            Line(sb, cells);
        }
        return sb.ToString();
    }

    public static string State(IReadOnlyList<GroupStateRow> rows)
    {
        int group = Width(15, rows.Select(r => r.Group)), coordinator = Width(25, rows.Select(r => r.Coordinator));
        var sb = new StringBuilder().Append('\n');
        Line(sb, [("GROUP", group), ("COORDINATOR (ID)", coordinator), ("ASSIGNMENT-STRATEGY", 20), ("STATE", 15), ("#MEMBERS", 0)]);
        foreach (var r in rows)
        {
            Line(sb, [(r.Group, group), (r.Coordinator, coordinator), (r.AssignmentStrategy, 20), (r.State, 15), (Num(r.Members), 0)]);
        }
        return sb.ToString();
    }

    /// <summary>The NEW-OFFSET table of --reset-offsets (fixed widths, as Kafka prints it).</summary>
    public static string Reset(string groupId, IReadOnlyDictionary<TopicPartition, long> plan)
    {
        var sb = new StringBuilder().Append('\n');
        Line(sb, [("GROUP", 30), ("TOPIC", 30), ("PARTITION", 10), ("NEW-OFFSET", 15)]);
        foreach (var (tp, offset) in plan)
        {
            Line(sb, [(groupId, 30), (tp.Topic, 30), (Num(tp.Partition), 10), (Num(offset), 15)]);
        }
        return sb.ToString();
    }

    /// <summary>topic(0,1),other(2): a member's assignment in Kafka's verbose form.</summary>
    public static string Assignment(IReadOnlyList<TopicPartition> assignment)
    {
        if (assignment.Count == 0) return "-";
        return string.Join(',', assignment.GroupBy(tp => tp.Topic).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}({string.Join(',', g.Select(tp => tp.Partition).Order())})"));
    }

    private static string Num(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static int Width(int minimum, IEnumerable<string> values)
    {
        int width = minimum;
        foreach (var v in values) width = Math.Max(width, v.Length);
        return width;
    }

    private static void Line(StringBuilder sb, IReadOnlyList<(string Text, int Width)> cells)
    {
        for (int i = 0; i < cells.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            var (text, width) = cells[i];
            sb.Append(text);
            if (text.Length < width) sb.Append(' ', width - text.Length);
        }
        sb.Append('\n');
    }
}
