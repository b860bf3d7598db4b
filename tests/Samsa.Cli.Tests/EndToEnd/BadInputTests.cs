using System.Diagnostics;
using Samsa.TestSupport;

namespace Samsa.Cli.Tests.EndToEnd;

/// <summary>Bad command lines end with one line on stderr and a non-zero exit, quickly, without a stack trace.</summary>
public sealed class BadInputTests
{
    private static readonly KafkaShell Shell = new($"127.0.0.1:{FreePort.Next()}"); // nothing listens there

    [Theory]
    [InlineData("kafka-topics.sh --bootstrap-server localhost:9092 --list --bogus", "bogus is not a recognized option")]
    [InlineData("kafka-topics.sh --bootstrap-server localhost:9092 --create --partitions 3", "Missing required argument \"[topic]\"")]
    [InlineData("kafka-topics.sh --bootstrap-server localhost:9092 --create --topic t --partitions 0", "The partitions must be greater than 0")]
    [InlineData("kafka-topics.sh --bootstrap-server localhost:9092 --list", "No broker reachable")]
    [InlineData("kafka-console-producer.sh --bootstrap-server localhost:9092", "Missing required argument \"[topic]\"")]
    [InlineData("kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic t --partition 0 --offset soon", "The provided offset value 'soon' is incorrect")]
    [InlineData("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --list", "No broker reachable")]
    [InlineData("kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe", "Option [describe] takes one of these options")]
    [InlineData("kafka-configs.sh --bootstrap-server localhost:9092 --describe --entity-type widgets", "Invalid entity-type widgets")]
    [InlineData("kafka-dump-log.sh --files /nonexistent/00000000000000000000.log", "does not exist")]
    public async Task One_line_error_and_non_zero_exit(string commandLine, string message)
    {
        var watch = Stopwatch.StartNew();
        var result = await Shell.RunAsync(commandLine, timeout: TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, result.ExitCode);
        var errorLines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errorLines);
        Assert.Contains(message, errorLines[0]);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }
}
