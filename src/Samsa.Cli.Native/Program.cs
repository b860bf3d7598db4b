using System.CommandLine;
using Samsa.Cli.Tools;

namespace Samsa.Cli.Native;

/// <summary>The client tools of the samsa command, compiled ahead of time.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Samsa's Kafka tools (Native AOT build; server-start and storage are in the full samsa command).");
        ToolCommands.AddTo(root);
        var parse = root.Parse(args);
        if (ToolCommands.ReportParseErrors(parse) is { } exit) return exit;
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
