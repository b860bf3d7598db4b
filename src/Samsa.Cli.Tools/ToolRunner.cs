using System.CommandLine;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>
/// Runs a tool's action: any failure becomes one line on stderr (with the tool's prefix, e.g.
/// Kafka's "Error while executing topic command : ") and exit code 1, never a stack trace.
/// </summary>
internal static class ToolRunner
{
    public static void SetAction(Command command, string errorPrefix, Func<ParseResult, CancellationToken, Task<int>> body) =>
        SetAction(command, _ => errorPrefix, body);

    public static void SetAction(Command command, Func<ParseResult, string> errorPrefix, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return 130;
            }
            catch (Exception e) when (IsExpected(e))
            {
                await Console.Out.FlushAsync(CancellationToken.None);
                await Console.Error.WriteLineAsync(errorPrefix(parse) + OneLine(e));
                return 1;
            }
        });
    }

    /// <summary>Failures that are the user's input or the cluster's answer, not a bug in the tool.</summary>
    public static bool IsExpected(Exception e) =>
        e is ToolException or KafkaException or KafkaConfigException or IOException or UnauthorizedAccessException
            or FormatException or OperationCanceledException or TimeoutException or ArgumentException or InvalidOperationException;

    /// <summary>The message of an exception on one line.</summary>
    public static string OneLine(Exception e)
    {
        string message = e switch
        {
            AdminException admin => KafkaErrors.Describe(admin),
            OperationCanceledException => "Timed out before the cluster answered.",
            _ => e.Message,
        };
        return message.ReplaceLineEndings(" ").Trim();
    }
}
