namespace Samsa.Cli.Tools;

/// <summary>
/// A problem with what the user asked for (bad or missing option, unknown topic...). The tools print
/// its message as one line and exit with 1; no stack trace.
/// </summary>
internal sealed class ToolException : Exception
{
    public ToolException(string message) : base(message) { }

    public ToolException(string message, Exception inner) : base(message, inner) { }
}
