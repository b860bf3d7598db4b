using System.CommandLine;
using Samsa.Cli.Commands;

namespace Samsa.Cli;

/// <summary>The <c>samsa</c> command: Kafka's tools under one name (server-start, storage, ...).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Samsa: a Kafka-compatible event streaming platform.");
        root.Subcommands.Add(ServerStartCommand.Create());
        root.Subcommands.Add(StorageCommand.Create());
        // The server handles Ctrl-C/SIGTERM itself (clean shutdown), so the parser must not exit the process.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
