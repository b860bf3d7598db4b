using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Samsa.TestSupport;
using static Samsa.Groups.Tests.Clients.ClientFixture;

namespace Samsa.Groups.Tests.Clients;

/// <summary>Consumer groups of kafka-python, kafkajs and kcat against a real broker.</summary>
public class OtherClientGroupTests
{
    private static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "scripts", name);

    private static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo psi, TimeSpan timeout)
    {
        CliResult r = await ProcessRunner.RunAsync(psi, timeout);
        return (r.ExitCode, r.StdOut + "\n" + r.StdErr);
    }

    /// <summary>The group's committed offsets, summed over the topic's partitions.</summary>
    private static async Task<long> CommittedTotalAsync(SamsaProcess broker, string group, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var tps = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var result = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, tps)]);
        return result.Single().Partitions.Sum(p => Math.Max(0, p.Offset.Value));
    }

    private static void AssertSharedByTwo(string output)
    {
        var json = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{'))).RootElement;
        var assignments = json.GetProperty("assignments").EnumerateObject().Select(p => p.Value.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToList();
        Assert.Equal(2, assignments.Count);
        Assert.All(assignments, a => Assert.Single(a));
        Assert.NotEqual(assignments[0][0], assignments[1][0]);
    }

    [Fact]
    public async Task KafkaPythonGroupOfTwoSharesATopicAndCommits()
    {
        await using var broker = await StartBrokerAsync(partitions: 2);
        await CreateTopicAsync(broker, "py", 2);
        await ProduceAsync(broker, "py", 20, partitions: 2);
        var (exit, output) = await RunAsync(new ProcessStartInfo("/usr/bin/python3", [Script("python_group.py"), broker.BootstrapServers, "py", "py-group", "20"]), TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, output);
        AssertSharedByTwo(output);
        Assert.Equal(20, await CommittedTotalAsync(broker, "py-group", "py", 2));
    }

    [Fact]
    public async Task KafkajsGroupOfTwoSharesATopicAndCommits()
    {
        await using var broker = await StartBrokerAsync(partitions: 2);
        await CreateTopicAsync(broker, "js", 2);
        await ProduceAsync(broker, "js", 20, partitions: 2);
        var psi = new ProcessStartInfo("node", [Script("kafkajs_group.js"), broker.BootstrapServers, "js", "js-group", "20"]);
        psi.Environment["NODE_PATH"] = Path.Combine(SamsaCli.RepositoryRoot, "tests", "node", "node_modules");
        var (exit, output) = await RunAsync(psi, TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, output);
        AssertSharedByTwo(output);
        Assert.Equal(20, await CommittedTotalAsync(broker, "js-group", "js", 2));
    }

    [Fact]
    public async Task KcatBalancedConsumerJoinsAndIsRemovedAfterTheSessionTimeoutWhenKilled()
    {
        await using var broker = await StartBrokerAsync(partitions: 2);
        await CreateTopicAsync(broker, "k", 2);
        await ProduceAsync(broker, "k", 10, partitions: 2);
        using var member = new GroupMember(broker.BootstrapServers, "kcat-group", "k", "confluent");
        await WaitUntilAsync(() => member.Owned.Length == 2, "the first member owns both partitions");

        var psi = new ProcessStartInfo("kcat", ["-b", broker.BootstrapServers, "-G", "kcat-group", "k", "-q", "-u", "-f", "%p:%o:%s\\n",
            "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X", "auto.offset.reset=earliest", "-d", "cgrp"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var kcat = Process.Start(psi)!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        kcat.OutputDataReceived += (_, e) => { if (e.Data is { } l) lines.Enqueue(l); };
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        kcat.ErrorDataReceived += (_, e) => { if (e.Data is { } l) errors.Enqueue(l); };
        kcat.BeginOutputReadLine();
        kcat.BeginErrorReadLine();
        try
        {
            // kcat joins: the partitions are split and kcat prints the records of its partition.
            await WaitUntilAsync(() => member.Owned.Length == 1, "kcat took one partition");
            int kcatPartition = 1 - member.Owned[0];
            try
            {
                await WaitUntilAsync(() => lines.Count(l => l.StartsWith(kcatPartition + ":", StringComparison.Ordinal)) == 5, "kcat printed its partition's records", TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}; member owns {string.Join(",", member.Owned)}; stdout:\n{string.Join("\n", lines)}\nstderr:\n{string.Join("\n", errors)}");
            }

            // Killed without a LeaveGroup: its partition comes back only after the session timeout.
            var killed = Stopwatch.StartNew();
            kcat.Kill();
            try
            {
                await WaitUntilAsync(() => member.Owned.Length == 2, "the killed member was removed", TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}; events {string.Join(" ", member.Events.Select(x => x.Kind + "[" + string.Join(",", x.Partitions) + "]"))} errors {string.Join(" ", member.Errors)}\nbroker:\n{broker.Output}\nstderr:\n{string.Join("\n", errors.Where(l => !l.Contains("DUMP") && !l.Contains("ASSIGNDONE")))}");
            }
            Assert.True(killed.Elapsed > TimeSpan.FromSeconds(4), $"rebalanced after {killed.Elapsed}, before the 6 s session timeout");
        }
        finally
        {
            if (!kcat.HasExited) kcat.Kill();
        }
    }
}
