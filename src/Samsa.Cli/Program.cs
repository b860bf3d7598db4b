using System.CommandLine;
using Samsa.Cli.Commands;
using Samsa.Cli.Tools;

namespace Samsa.Cli;

/// <summary>The <c>samsa</c> command: Kafka's tools under one name (server-start, storage, ...).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Samsa: a Kafka-compatible event streaming platform.");
        root.Subcommands.Add(ServerStartCommand.Create());
        root.Subcommands.Add(StorageCommand.Create());
        ToolCommands.AddTo(root);
        var parse = root.Parse(args);
        if (ToolCommands.ReportParseErrors(parse) is { } exit) return exit;
        // The server and the long-running tools handle Ctrl-C/SIGTERM themselves (clean shutdown),
        // so the parser must not exit the process.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
