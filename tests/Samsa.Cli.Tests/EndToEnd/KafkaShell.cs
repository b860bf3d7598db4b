using System.Diagnostics;
using System.Text;
using Samsa.TestSupport;

namespace Samsa.Cli.Tests.EndToEnd;

/// <summary>The outcome of one shell command.</summary>
public sealed record ShellResult(int ExitCode, string StdOut, string StdErr)
{
    public string[] Lines => StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Runs commands the way a Kafka user types them: <c>bash -c</c> with the repository's <c>bin/</c>
/// first on PATH (so <c>kafka-topics.sh</c> is the shim), <c>localhost:9092</c> replaced by the test
/// broker's address, and SAMSA_CLI pointing bin/samsa at the samsa.dll the tests built.
/// </summary>
public sealed class KafkaShell(string bootstrapServers)
{
    public string BootstrapServers { get; } = bootstrapServers;

    public string Rewrite(string commandLine) => commandLine.Replace("localhost:9092", BootstrapServers, StringComparison.Ordinal);

    public ProcessStartInfo StartInfo(string commandLine)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        // exec: the shell becomes the tool, so signals reach it directly.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec " + Rewrite(commandLine));
        psi.Environment["PATH"] = Path.Combine(SamsaCli.RepositoryRoot, "bin") + ":" + Environment.GetEnvironmentVariable("PATH");
        psi.Environment["SAMSA_CLI"] = SamsaCli.DllPath;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    /// <summary>Runs to completion with <paramref name="stdin"/> as input; kills it after <paramref name="timeout"/> (default 60 s).</summary>
    public async Task<ShellResult> RunAsync(string commandLine, string? stdin = null, TimeSpan? timeout = null)
    {
        CliResult r = await ProcessRunner.RunAsync(StartInfo(commandLine), timeout ?? TimeSpan.FromSeconds(60), stdin);
        return new ShellResult(r.ExitCode, r.StdOut, r.StdErr);
    }

    /// <summary>Runs and expects exit code 0.</summary>
    public async Task<ShellResult> RunOkAsync(string commandLine, string? stdin = null, TimeSpan? timeout = null)
    {
        var result = await RunAsync(commandLine, stdin, timeout);
        Assert.True(result.ExitCode == 0, $"'{commandLine}' exited with {result.ExitCode}.\nstdout: {result.StdOut}\nstderr: {result.StdErr}");
        return result;
    }

    public BackgroundTool Start(string commandLine) => new(Process.Start(StartInfo(commandLine))!, commandLine);

    /// <summary>Polls a command until its output satisfies <paramref name="done"/> (a condition with a deadline, not a sleep).</summary>
    public async Task<ShellResult> WaitForAsync(string commandLine, Func<ShellResult, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        ShellResult last;
        while (true)
        {
            last = await RunAsync(commandLine);
            if (done(last)) return last;
            if (DateTime.UtcNow > deadline) break;
            await Task.Delay(250);
        }
        Assert.Fail($"'{commandLine}' never gave the expected output. Last:\nstdout: {last.StdOut}\nstderr: {last.StdErr}");
        return last;
    }
}

/// <summary>A long-running tool (a console consumer): its output lines as they come, stopped with SIGINT.</summary>
public sealed class BackgroundTool : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();

    internal BackgroundTool(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
    }

    public IReadOnlyList<string> Lines { get { lock (_gate) return _lines.ToArray(); } }

    public string StdErr { get { lock (_gate) return _stderr.ToString(); } }

    public bool HasExited => _process.HasExited;

    public async Task WaitForLinesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Lines.Count < count)
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"'{_commandLine}' printed {Lines.Count} of {count} lines. Lines: {string.Join(" | ", Lines)} stderr: {StdErr}");
            await Task.Delay(100);
        }
    }

    /// <summary>Ctrl-C: SIGINT, then waits for the exit; returns the exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
