using System.Diagnostics;
using Samsa.Protocol.Messages;
using Samsa.TestSupport;

namespace Samsa.Server.Tests;

/// <summary><c>samsa server-start</c> and <c>samsa storage</c> as a user runs them.</summary>
public class ServerStartTests
{
    private static string PropertiesFor(string dataDir, int port, int controllerPort, int httpPort, string extra = "") => $"""
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@127.0.0.1:{controllerPort}
        listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controllerPort}
        controller.listener.names=CONTROLLER
        http.listeners=http://127.0.0.1:{httpPort}
        log.dirs={dataDir}
        {extra}
        """;

    [Fact]
    public async Task Health_reports_ready_once_started()
    {
        await using var node = await SamsaProcess.StartAsync();
        using var http = new HttpClient();
        var response = await http.GetAsync(node.HealthUrl);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_builtin_config_formats_its_data_directory_on_the_first_start_only()
    {
        await using var node = await SamsaProcess.StartAsync();
        string meta = Path.Combine(node.DataDir, "meta.properties");
        Assert.True(File.Exists(meta));
        string clusterId = File.ReadAllLines(meta).Single(l => l.StartsWith("cluster.id=", StringComparison.Ordinal))[11..];
        Assert.Contains(node.OutputLines, l => l.Contains("Formatted", StringComparison.Ordinal) && l.Contains(clusterId, StringComparison.Ordinal));

        Assert.Equal(0, await node.StopAsync());
        await node.RestartAsync();
        Assert.Single(node.OutputLines, l => l.Contains("Formatted", StringComparison.Ordinal));
        Assert.Contains(node.OutputLines, l => l.Contains($"(cluster {clusterId}) ready in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigterm_shuts_down_cleanly_with_exit_code_0()
    {
        await using var node = await SamsaProcess.StartAsync();
        await using (var client = await KafkaWireClient.ConnectAsync(node))
        {
            await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0);
            Assert.Equal(0, await node.StopAsync());
        }
        Assert.Contains(node.OutputLines, l => l.Contains("shut down cleanly", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_value_stops_the_start_with_one_line_naming_key_value_and_reason()
    {
        using var dir = new TempDirectory();
        var result = await SamsaCli.RunAsync(["server-start", "--override", $"log.dirs={dir.Combine("data")}", "--override", "num.partitions=many"], dir.Path);
        Assert.NotEqual(0, result.ExitCode);
        string line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("num.partitions", line);
        Assert.Contains("many", line);
        Assert.Contains("integer", line);
        Assert.DoesNotContain("   at ", result.Output);
        Assert.False(Directory.Exists(dir.Combine("data")), "nothing is formatted when the config is bad");
    }

    [Fact]
    public async Task Bad_override_syntax_and_missing_files_are_one_line_errors()
    {
        using var dir = new TempDirectory();
        var result = await SamsaCli.RunAsync(["server-start", "--override", "novalue"], dir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--override expects key=value", result.StdErr);

        result = await SamsaCli.RunAsync(["server-start", dir.Combine("missing.properties")], dir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("does not exist", result.StdErr);
    }

    [Fact]
    public async Task Unknown_keys_are_named_in_a_warning_and_the_node_starts()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["no.such.key"] = "1";
        options.Overrides["log.retention.bytez"] = "5";
        await using var node = await SamsaProcess.StartAsync(options);
        var warning = Assert.Single(node.OutputLines, l => l.Contains("Unknown config keys", StringComparison.Ordinal));
        Assert.Contains("warn", warning);
        Assert.Contains("no.such.key", warning);
        Assert.Contains("log.retention.bytez", warning);
    }

    [Fact]
    public async Task A_config_file_with_unformatted_storage_is_refused()
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("server.properties");
        await File.WriteAllTextAsync(file, PropertiesFor(dir.Combine("logs"), FreePort.Next(), FreePort.Next(), FreePort.Next()));
        var result = await SamsaCli.RunAsync(["server-start", file], dir.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No meta.properties found in " + dir.Combine("logs"), result.StdErr);
        Assert.Contains("samsa storage format", result.StdErr);
        Assert.DoesNotContain("   at ", result.Output);
    }

    [Fact]
    public async Task Storage_format_writes_meta_properties_and_the_node_starts_from_the_file()
    {
        using var dir = new TempDirectory();
        var uuid = await SamsaCli.RunAsync(["storage", "random-uuid"], dir.Path);
        Assert.Equal(0, uuid.ExitCode);
        string clusterId = uuid.StdOut.Trim();
        Assert.Matches("^[A-Za-z0-9_-]{22}$", clusterId);

        string file = dir.Combine("server.properties");
        int port = FreePort.Next();
        await File.WriteAllTextAsync(file, PropertiesFor($"{dir.Combine("a")},{dir.Combine("b")}", port, FreePort.Next(), FreePort.Next()));
        var format = await SamsaCli.RunAsync(["storage", "format", "-t", clusterId, "-c", file], dir.Path);
        Assert.Equal(0, format.ExitCode);
        var directoryIds = new HashSet<string>();
        foreach (var d in new[] { "a", "b" })
        {
            var lines = File.ReadAllLines(Path.Combine(dir.Combine(d), "meta.properties"));
            Assert.Contains("version=1", lines);
            Assert.Contains($"cluster.id={clusterId}", lines);
            Assert.Contains("node.id=1", lines);
            Assert.True(directoryIds.Add(lines.Single(l => l.StartsWith("directory.id=", StringComparison.Ordinal))));
        }

        var again = await SamsaCli.RunAsync(["storage", "format", "-t", clusterId, "-c", file], dir.Path);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already formatted", again.StdErr);
        var ignored = await SamsaCli.RunAsync(["storage", "format", "-t", clusterId, "-c", file, "--ignore-formatted"], dir.Path);
        Assert.Equal(0, ignored.ExitCode);

        using var process = Process.Start(SamsaCli.CreateStartInfo(["server-start", file], dir.Path))!;
        try
        {
            process.StandardInput.Close();
            string? line;
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while ((line = await process.StandardOutput.ReadLineAsync(cts.Token)) is not null && !line.Contains(" ready in ", StringComparison.Ordinal))
            {
            }
            Assert.NotNull(line);
            Assert.Contains($"(cluster {clusterId})", line);
            await using var client = await KafkaWireClient.ConnectAsync("127.0.0.1", port);
            var response = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2);
            Assert.Equal(0, response.ErrorCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Format_refuses_an_invalid_cluster_id()
    {
        using var dir = new TempDirectory();
        string file = dir.Combine("server.properties");
        await File.WriteAllTextAsync(file, PropertiesFor(dir.Combine("logs"), 9092, 9093, 9080));
        var result = await SamsaCli.RunAsync(["storage", "format", "-t", "not-a-uuid", "-c", file], dir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("not-a-uuid", result.StdErr);
        Assert.False(File.Exists(Path.Combine(dir.Combine("logs"), "meta.properties")));
    }

    [Fact]
    public async Task The_bin_samsa_script_builds_once_and_runs_the_command()
    {
        string script = Path.Combine(SamsaCli.RepositoryRoot, "bin", "samsa");
        var psi = new ProcessStartInfo(script, ["storage", "random-uuid"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Matches("^[A-Za-z0-9_-]{22}\n$", await stdout);
        Assert.Equal("", await stderr); // quiet: only the command's own output
    }

    [Fact]
    public async Task A_port_in_use_stops_the_start_with_one_line_and_exit_code_1()
    {
        await using var first = await SamsaProcess.StartAsync();
        int controller = FreePort.Next();
        var options = new SamsaProcessOptions { WaitUntilReady = false };
        options.Overrides["listeners"] = $"PLAINTEXT://127.0.0.1:{first.Port},CONTROLLER://127.0.0.1:{controller}";
        options.Overrides["controller.quorum.voters"] = $"1@127.0.0.1:{controller}";
        await using var second = await SamsaProcess.StartAsync(options);
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(second.OutputLines, l => l.Contains("Cannot open a listener", StringComparison.Ordinal) && l.Contains("address already in use", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", second.Output);
        Assert.False(first.HasExited);
    }

    [Fact]
    public async Task Two_nodes_run_side_by_side_on_their_own_ports()
    {
        await using var a = await SamsaProcess.StartAsync();
        var options = new SamsaProcessOptions { NodeId = 2 };
        await using var b = await SamsaProcess.StartAsync(options);
        Assert.NotEqual(a.Port, b.Port);
        foreach (var node in new[] { a, b })
        {
            await using var client = await KafkaWireClient.ConnectAsync(node);
            var response = await client.RoundTripAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 1);
            Assert.Equal(0, response.ErrorCode);
        }
        Assert.Contains(b.OutputLines, l => l.Contains("Samsa node 2", StringComparison.Ordinal));
    }
}
