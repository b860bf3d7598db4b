using System.Text.RegularExpressions;
using Samsa.TestSupport;

namespace Samsa.Cli.Tests.EndToEnd;

/// <summary><c>samsa perf produce</c> then <c>perf consume</c> against a running Samsa: the summary lines and their counts (never speed).</summary>
public sealed partial class PerfCommandTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Produce_then_consume_report_every_record()
    {
        string bootstrap = fixture.Broker.BootstrapServers;
        var produced = await SamsaCli.RunAsync(["perf", "produce", "--topic", "perf-test", "--num-records", "2000", "--record-size", "100",
            "--throughput", "-1", "--bootstrap-server", bootstrap, "--producer-props", "acks=1", "linger.ms=5", "--print-metrics"],
            timeout: TimeSpan.FromSeconds(90));
        Assert.True(produced.ExitCode == 0, produced.Output);
        var sent = SentLine().Match(produced.StdOut);
        Assert.True(sent.Success, produced.StdOut);
        Assert.Equal("2000", sent.Groups[1].Value);
        Assert.Contains("gc:allocated-bytes-per-record = ", produced.StdOut, StringComparison.Ordinal);

        var consumed = await SamsaCli.RunAsync(["perf", "consume", "--topic", "perf-test", "--num-records", "2000",
            "--bootstrap-server", bootstrap, "--timeout", "30000"], timeout: TimeSpan.FromSeconds(90));
        Assert.True(consumed.ExitCode == 0, consumed.Output);
        var line = ConsumedLine().Match(consumed.StdOut);
        Assert.True(line.Success, consumed.StdOut);
        Assert.Equal("2000", line.Groups[1].Value);
        // 2000 values of 100 bytes.
        Assert.Equal("0.19", line.Groups[2].Value);
    }

    [Fact]
    public async Task E2e_receives_every_record_it_sent()
    {
        var result = await SamsaCli.RunAsync(["perf", "e2e", "--topic", "perf-e2e", "--num-records", "300", "--throughput", "300",
            "--bootstrap-server", fixture.Broker.BootstrapServers, "--producer-props", "acks=all"], timeout: TimeSpan.FromSeconds(90));
        Assert.True(result.ExitCode == 0, result.Output);
        var line = ReceivedLine().Match(result.StdOut);
        Assert.True(line.Success, result.StdOut);
        Assert.Equal("300", line.Groups[1].Value);
    }

    [GeneratedRegex(@"^(\d+) records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, [\d.]+ ms 50th, [\d.]+ ms 95th, [\d.]+ ms 99th, [\d.]+ ms 99\.9th\.$", RegexOptions.Multiline)]
    private static partial Regex SentLine();

    [GeneratedRegex(@"^(\d+) records consumed, [\d.]+ records/sec \([\d.]+ MB/sec\), ([\d.]+) MB in [\d.]+ s, first record after \d+ ms\.$", RegexOptions.Multiline)]
    private static partial Regex ConsumedLine();

    [GeneratedRegex(@"^(\d+) records received, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, [\d.]+ ms 50th, [\d.]+ ms 95th, [\d.]+ ms 99th, [\d.]+ ms 99\.9th\.$", RegexOptions.Multiline)]
    private static partial Regex ReceivedLine();
}
