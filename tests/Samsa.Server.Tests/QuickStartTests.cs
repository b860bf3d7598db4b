using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Samsa.TestSupport;
using Xunit.Abstractions;

namespace Samsa.Server.Tests;

/// <summary>
/// README's first command as a user runs it: <c>bin/samsa server-start</c> in an empty working
/// directory (data in <c>./data</c>), then <c>kcat -L</c>. Only the ports are overridden, since 9092
/// may be taken. The time to the first answer is printed, not asserted (figures: docs/performance.md).
/// </summary>
public class QuickStartTests
{
    private readonly ITestOutputHelper _output;

    public QuickStartTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Bin_samsa_server_start_answers_kcat_metadata()
    {
        string script = Path.Combine(SamsaCli.RepositoryRoot, "bin", "samsa");
        using var dir = new TempDirectory();
        // Build first (when stale), so the timed start below is the start alone.
        var build = await RunToEndAsync(script, ["storage", "random-uuid"], dir.Path, TimeSpan.FromMinutes(10));
        Assert.True(build.ExitCode == 0, build.Output);

        int port = FreePort.Next(), controller = FreePort.Next(), http = FreePort.Next();
        var psi = new ProcessStartInfo(script)
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.Environment.Remove("SAMSA_CLI"); // the script's own build, as a user gets it
        foreach (string a in (string[])["server-start",
            "--override", $"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
            "--override", $"controller.quorum.voters=1@127.0.0.1:{controller}",
            "--override", $"http.listeners=http://127.0.0.1:{http}"])
        {
            psi.ArgumentList.Add(a);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await WaitForPortAsync(port, process, TimeSpan.FromSeconds(60));
            var kcat = await RunToEndAsync("kcat", ["-L", "-J", "-b", $"127.0.0.1:{port}", "-m", "10"], dir.Path, TimeSpan.FromSeconds(30));
            clock.Stop();
            Assert.True(kcat.ExitCode == 0, kcat.Output);
            using var metadata = JsonDocument.Parse(kcat.StdOut);
            var broker = Assert.Single(metadata.RootElement.GetProperty("brokers").EnumerateArray());
            Assert.Equal(1, broker.GetProperty("id").GetInt32());
            Assert.Equal($"127.0.0.1:{port}", broker.GetProperty("name").GetString());
            Assert.True(File.Exists(Path.Combine(dir.Path, "data", "meta.properties")), "the data is not in ./data");
            _output.WriteLine($"bin/samsa server-start to kcat -L answered: {clock.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture)} ms");

            using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await term.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("shut down cleanly", await stdout + await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    private static async Task WaitForPortAsync(int port, Process process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(5);
            }
        }
    }

    private static Task<CliResult> RunToEndAsync(string file, string[] args, string workingDirectory, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = workingDirectory };
        psi.Environment.Remove("SAMSA_CLI");
        return ProcessRunner.RunAsync(psi, timeout);
    }
}
