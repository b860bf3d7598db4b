using System.CommandLine;
using System.CommandLine.Parsing;

namespace Samsa.Cli.Tools;

/// <summary>Registers Kafka's client-side tools on the root command and reports parse errors on one line.</summary>
public static class ToolCommands
{
    public static void AddTo(Command root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(TopicsCommand.Create());
        root.Subcommands.Add(ConsoleProducerCommand.Create());
        root.Subcommands.Add(ConsoleConsumerCommand.Create());
        root.Subcommands.Add(ConsumerGroupsCommand.Create());
        root.Subcommands.Add(ConfigsCommand.Create());
        root.Subcommands.Add(GetOffsetsCommand.Create());
        root.Subcommands.Add(DumpLogCommand.Create());
        root.Subcommands.Add(Perf.PerfCommand.Create());
    }

    /// <summary>
    /// When the command line did not parse, prints the first problem on one line (in Kafka's words for
    /// an unknown option) and returns the exit code 1; otherwise null.
    /// </summary>
    public static int? ReportParseErrors(ParseResult parse, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.Errors.Count == 0) return null;
        error ??= Console.Error;
        string command = CommandPath(parse.CommandResult);
        error.WriteLine($"{command}: {DescribeParseError(parse)} (see {command} --help)");
        return 1;
    }

    internal static string DescribeParseError(ParseResult parse)
    {
        foreach (var token in parse.UnmatchedTokens)
        {
            if (token.StartsWith('-')) return $"{token.TrimStart('-')} is not a recognized option";
        }
        return parse.Errors[0].Message;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
        {
            names.Add(c.Parent is null ? "samsa" : c.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
