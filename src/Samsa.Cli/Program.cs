using System.CommandLine;
using Samsa.Cli.Commands;
using Samsa.Cli.Tools;

namespace Samsa.Cli;

/// <summary>The <c>samsa</c> command: Kafka's tools under one name (server-start, storage, ...).</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "server-start") PreferInlineSocketCompletions();
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

    /// <summary>
    /// The broker runs socket completions on the socket engine's threads instead of queueing each to
    /// the thread pool: with Kestrel's inline scheduling a request is then received, handled and
    /// answered on one thread, without a pool worker waking, and spinning after, per request
    /// (strace, 6,667 produce requests: 3,888 sched_yield calls instead of 36,792; ~10 % less
    /// broker CPU). The runtime reads this once, before the first socket, so it is set here; an
    /// explicit value in the environment wins. Handlers never block a thread, which this requires.
    /// </summary>
    private static void PreferInlineSocketCompletions()
    {
        const string Name = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (Environment.GetEnvironmentVariable(Name) is null) Environment.SetEnvironmentVariable(Name, "1");
    }
}
